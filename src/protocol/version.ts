/**
 * The wire protocol's version. A client sends it in the Socket.IO handshake `auth`; a server
 * that speaks another major version refuses the connection with `unsupported_protocol` rather
 * than misbehaving on payloads it does not understand.
 */
export const PROTOCOL_VERSION = 1;

/** The Socket.IO namespace every widget connects to. */
export const NAMESPACE = '/care';
