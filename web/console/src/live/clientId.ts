/**
 * A fresh `client_msg_id`: 128 random bits in hex. `crypto.randomUUID` would do, but
 * it only exists in secure contexts and consoles are also reached over plain HTTP on a LAN.
 */
export function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
