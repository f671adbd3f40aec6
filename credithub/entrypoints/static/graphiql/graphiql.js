// GraphiQL for the hub: the token is asked once, kept in this tab's sessionStorage (shared with the
// dashboard, nothing in localStorage), and sent as the Authorization header over HTTP and in the
// WebSocket's connection_init, so queries, mutations and subscriptions all run. GraphiQL is
// rendered, and so loads the schema, only once a token the hub accepts is set.
(function () {
  "use strict";

  var TOKEN_KEY = "credithub.token";
  var endpoint = window.location.origin + "/graphql";
  var socketEndpoint = endpoint.replace(/^http/, "ws");
  var DEFAULT_QUERY = [
    "# Ctrl-Enter runs the operation under the cursor;",
    "# the Docs pane (top left) shows the whole schema.",
    "{",
    "  viewer { name role platform }",
    "  subjects(first: 3,",
    "           filter: {onList: SERIOUS_DISHONEST}) {",
    "    totalCount",
    "    edges {",
    "      node {",
    "        id name kind",
    "        creditStatus {",
    "          tier tierReason",
    "          flags { measure enforced reason }",
    "        }",
    "      }",
    "    }",
    "  }",
    "}",
    "",
    "# Subscriptions run here too, e.g.",
    "# subscription {",
    "#   creditStatusChanged {",
    "#     changedAt subject { id name }",
    "#     creditStatus { tier }",
    "#   }",
    "# }",
    "",
  ].join("\n");

  function element(id) {
    return document.getElementById(id);
  }

  function showSignIn(message) {
    window.sessionStorage.removeItem(TOKEN_KEY);
    element("graphiql").hidden = true;
    element("signout").hidden = true;
    element("who").textContent = "";
    element("signin-screen").hidden = false;
    element("signin-message").textContent = message || "";
    element("token").focus();
  }

  function viewer(token) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
      body: JSON.stringify({ query: "{ viewer { name role platform } }" }),
    }).then(function (response) {
      if (response.status === 401) {
        throw new Error("The hub does not accept this token: it is mistyped, revoked or expired.");
      }
      if (!response.ok) {
        throw new Error("The hub answered " + response.status + "; try again in a moment.");
      }
      return response.json().then(function (body) {
        return body.data.viewer;
      });
    });
  }

  function startGraphiQL(token, who) {
    var auth = { Authorization: "Bearer " + token };
    var fetcher = GraphiQL.createFetcher({
      url: endpoint,
      subscriptionUrl: socketEndpoint,
      headers: auth,
      wsConnectionParams: auth,
    });
    element("signin-screen").hidden = true;
    element("graphiql").hidden = false;
    element("signout").hidden = false;
    element("who").textContent =
      "signed in as " + who.name + " (" + who.role.toLowerCase() + (who.platform ? ", " + who.platform : "") + ")";
    var root = ReactDOM.createRoot(element("graphiql"));
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: DEFAULT_QUERY,
        storage: window.sessionStorage,
        shouldPersistHeaders: false,
        isHeadersEditorEnabled: true,
        defaultEditorToolsVisibility: false,
      }),
    );
  }

  function signIn(token) {
    element("signin-message").textContent = "Checking the token…";
    viewer(token).then(
      function (who) {
        window.sessionStorage.setItem(TOKEN_KEY, token);
        startGraphiQL(token, who);
      },
      function (error) {
        showSignIn(error.message);
      },
    );
  }

  element("signin").addEventListener("submit", function (event) {
    event.preventDefault();
    var token = element("token").value.trim();
    if (token) {
      signIn(token);
    }
  });

  element("signout").addEventListener("click", function () {
    window.sessionStorage.removeItem(TOKEN_KEY);
    window.location.reload();
  });

  var saved = window.sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    signIn(saved);
  } else {
    showSignIn("");
  }
})();
