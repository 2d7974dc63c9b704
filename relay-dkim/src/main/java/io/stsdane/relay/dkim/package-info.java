/**
 * DKIM signing at intake (RFC 6376 with rsa-sha256, RFC 8463 ed25519-sha256): the validated settings
 * ({@link io.stsdane.relay.dkim.DkimSettings}, {@link io.stsdane.relay.dkim.DkimKey}), the intake that signs in
 * front of the queue ({@link io.stsdane.relay.dkim.DkimSigning}) and the key records to publish and check
 * ({@link io.stsdane.relay.dkim.DkimRecord}). Depends only on relay-core.
 */
package io.stsdane.relay.dkim;
