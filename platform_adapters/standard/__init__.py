"""The open standard protocol (docs/standard-protocol.md): any platform can implement it without
custom code. Pull: a paginated JSON feed of the same events platforms send by webhook. Push: a
`credit.status_changed` Standard Webhook signed with the platform's outbound secret."""
