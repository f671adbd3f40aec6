// A platform talking to the Platform Credit Hub with the JDK only (17+): sign and send Standard
// Webhooks, verify the hub's pushes, query GraphQL, and follow the creditStatusChanged
// subscription over Server-Sent Events. Run it as a single file:
//
//   HUB_URL=http://127.0.0.1:8000 PLATFORM=shopmall TOKEN=chub_... WEBHOOK_SECRET=whsec_... \
//   OUTBOUND_SECRET=whsec_... CREDIT_CODE=91330106MA2PBM9HX6 PUSH_PORT=8010 java Example.java
//
// The platform's push URL must be http://127.0.0.1:$PUSH_PORT/ (platform set CODE --push-url ...).
// Exits 0 once it has seen a live event and a verified push, 1 if not within TIMEOUT_SECONDS.
// JSON is built and read with plain string handling to stay dependency-free; use your own JSON
// library in production code.

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class Example {
    static final String HUB = env("HUB_URL", "http://127.0.0.1:8000");
    static final String PLATFORM = env("PLATFORM", null);
    static final String TOKEN = env("TOKEN", null);
    static final String CREDIT_CODE = env("CREDIT_CODE", null);
    static final byte[] WEBHOOK_KEY = secretKey(env("WEBHOOK_SECRET", null)); // signs what we send
    static final byte[] OUTBOUND_KEY = secretKey(env("OUTBOUND_SECRET", null)); // verifies what the hub sends
    static final Duration TOLERANCE = Duration.ofMinutes(5);
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade attempt: the hub speaks HTTP/1.1
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    static final AtomicBoolean SAW_EVENT = new AtomicBoolean();
    static final AtomicBoolean SAW_PUSH = new AtomicBoolean();

    public static void main(String[] args) throws Exception {
        HttpServer pushes = receivePushes(Integer.parseInt(env("PUSH_PORT", "8010")));
        try {
            System.exit(run(Long.parseLong(env("TIMEOUT_SECONDS", "60"))) ? 0 : 1);
        } catch (Exception e) {
            log("failed: " + e.getMessage());
            System.exit(1);
        } finally {
            pushes.stop(0);
        }
    }

    static boolean run(long timeoutSeconds) throws Exception {
        String violationId = "JAVA-" + UUID.randomUUID();
        String account = "shop-" + UUID.randomUUID().toString().substring(0, 8);
        String occurred = Instant.now().minus(Duration.ofDays(2)).toString();
        send("violation.reported", "{\"violation_id\":\"" + violationId + "\","
                + "\"subject\":{\"kind\":\"MERCHANT\",\"account_id\":\"" + account + "\",\"name\":\"Yunfan E-commerce Co., Ltd.\","
                + "\"credit_code\":\"" + CREDIT_CODE + "\"},"
                + "\"category\":\"COUNTERFEIT_GOODS\",\"severity\":\"GENERAL\",\"occurred_at\":\"" + occurred + "\","
                + "\"description\":\"Sold counterfeit branded sneakers\",\"legal_basis\":\"E-Commerce Law of the PRC, Article 13\"}");

        // The hub applies events in the background, usually within a second.
        String status = "";
        for (int attempt = 0; attempt < 100 && !status.contains("\"RESTRICTION\""); attempt++) {
            status = graphql("query Statuses($codes: [String!]!) { creditStatuses(creditCodes: $codes) { __typename "
                    + "... on CreditStatus { creditCode tier flags { measure kind enforced } } ... on UserError { code message } } }",
                    "{\"codes\":[\"" + CREDIT_CODE + "\"]}");
            Thread.sleep(200);
        }
        log("status: tier " + first(status, "\"tier\":\"([A-D])\"") + ", " + status);

        Thread live = follow("subscription Changes($codes: [String!]) { creditStatusChanged(creditCodes: $codes) { "
                + "changedAt subject { id name } creditStatus { tier flags { measure enforced } } } }",
                "{\"codes\":[\"" + CREDIT_CODE + "\"]}");
        Thread.sleep(1500); // the subscription is listening
        send("violation.revoked", "{\"violation_id\":\"" + violationId + "\",\"reason\":\"Appeal upheld\"}");

        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (!(SAW_EVENT.get() && SAW_PUSH.get()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        live.interrupt();
        boolean done = SAW_EVENT.get() && SAW_PUSH.get();
        log(done ? "done: a live event and a verified push" : "timed out: event " + SAW_EVENT + ", push " + SAW_PUSH);
        return done;
    }

    // ---- Standard Webhooks ---------------------------------------------------------------

    /** The HMAC key inside a `whsec_<base64>` secret. */
    static byte[] secretKey(String secret) {
        return Base64.getDecoder().decode(secret.startsWith("whsec_") ? secret.substring(6) : secret);
    }

    /** `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")). */
    static String sign(byte[] key, String id, long timestamp, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(digest);
    }

    /** True when one `v1` entry of the signature header matches and the timestamp is recent. */
    static boolean verify(byte[] key, String id, String timestamp, String signatures, String body) throws Exception {
        long sent = Long.parseLong(timestamp);
        if (Math.abs(Instant.now().getEpochSecond() - sent) > TOLERANCE.toSeconds()) {
            return false;
        }
        byte[] expected = sign(key, id, sent, body).getBytes(StandardCharsets.UTF_8);
        for (String entry : signatures.split(" ")) {
            if (MessageDigest.isEqual(expected, entry.getBytes(StandardCharsets.UTF_8))) {
                return true; // constant-time comparison
            }
        }
        return false;
    }

    static void send(String type, String data) throws Exception {
        String body = "{\"type\":\"" + type + "\",\"timestamp\":\"" + Instant.now() + "\",\"data\":" + data + "}";
        String id = "msg_" + UUID.randomUUID();
        long now = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(URI.create(HUB + "/webhooks/" + PLATFORM))
                .header("content-type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", sign(WEBHOOK_KEY, id, now, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("hub refused " + type + ": " + response.statusCode() + " " + response.body());
        }
        log("sent " + type + " as " + id + ": " + response.statusCode());
    }

    static HttpServer receivePushes(int port) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var headers = exchange.getRequestHeaders();
            String id = headers.getFirst("webhook-id");
            boolean verified;
            try {
                verified = id != null && verify(OUTBOUND_KEY, id, headers.getFirst("webhook-timestamp"),
                        headers.getFirst("webhook-signature"), body);
            } catch (Exception e) {
                verified = false;
            }
            if (!verified) {
                log("push refused: it does not verify");
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            // Apply the state it carries; keep the highest data.version per subject, drop older ones.
            log("push verified: " + id + " tier " + first(body, "\"tier\":\"([A-D])\"") + " version "
                    + first(body, "\"version\":([0-9]+)"));
            SAW_PUSH.set(true);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    // ---- GraphQL -------------------------------------------------------------------------

    static String graphql(String query, String variables) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(HUB + "/graphql"))
                .header("authorization", "Bearer " + TOKEN)
                .header("content-type", "application/json")
                .header("accept", "application/graphql-response+json, application/json;q=0.9")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"query\":" + quote(query) + ",\"variables\":" + variables + "}", StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || response.body().contains("\"errors\"")) {
            throw new IllegalStateException("GraphQL " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** A subscription over Server-Sent Events: one `event: next` + `data: {...}` per change. */
    static Thread follow(String query, String variables) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(HUB + "/graphql"))
                .header("authorization", "Bearer " + TOKEN)
                .header("content-type", "application/json")
                .header("accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"query\":" + quote(query) + ",\"variables\":" + variables + "}", StandardCharsets.UTF_8))
                .build();
        Thread reader = new Thread(() -> {
            try {
                var lines = HTTP.send(request, HttpResponse.BodyHandlers.ofLines()).body();
                String event = "";
                for (var iterator = lines.iterator(); iterator.hasNext(); ) {
                    String line = iterator.next();
                    if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:") && event.equals("next")) {
                        log("live: tier " + first(line, "\"tier\":\"([A-D])\"") + " " + line.substring(5).trim());
                        SAW_EVENT.set(true);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log("subscription ended: " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    // ---- small helpers -------------------------------------------------------------------

    static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String first(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        return matcher.find() ? matcher.group(1) : "?";
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            if (fallback == null) {
                throw new IllegalStateException("set " + name);
            }
            return fallback;
        }
        return value;
    }

    static void log(String message) {
        System.out.println(Instant.now() + " " + message);
    }
}
