"""The live-streaming family ("LiveWave Open Platform v3" style): shops, anchors, MCN contracts
and violations behind opaque cursors, with the platform's own violation codes; feed pages and the
hub's pushes are signed with LiveWave's scheme (HMAC over timestamp, nonce and body)."""
