/** `http_ece` (RFC 8188 encrypted content-encoding) has no types; the tests use its decrypt only. */
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';
  const ece: {
    /** aes128gcm: the sender's public key is in the header; `privateKey` is the receiver's ECDH (RFC 8291). */
    decrypt(buffer: Buffer, params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: string | Buffer }): Buffer;
  };
  export default ece;
}
