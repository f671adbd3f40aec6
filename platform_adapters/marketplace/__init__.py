"""The marketplace family ("ShopMall Open API v2" style): shops and penalties paged by page number
and a modification time in milliseconds, the platform's own field names and penalty codes, and
pushes signed with an HMAC of the timestamp and body."""
