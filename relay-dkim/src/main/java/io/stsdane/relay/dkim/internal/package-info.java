/**
 * The signing machinery: the header block read off the stream ({@code HeaderBlock}), the body hash computed while
 * the body streams to an unlinked file ({@code BodyHasher}, {@code SpillFile}), the signature field
 * ({@code Signer}), and the intake that puts them together ({@code SigningIntake}).
 */
package io.stsdane.relay.dkim.internal;
