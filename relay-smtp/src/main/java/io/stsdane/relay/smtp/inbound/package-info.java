/**
 * The submission listener: applications and upstream MTAs hand mail to the relay here.
 *
 * <p>{@link io.stsdane.relay.smtp.inbound.InboundServer} runs a SubEthaSMTP listener configured by an
 * {@link io.stsdane.relay.smtp.inbound.InboundOptions} and hands each accepted message to a
 * {@link io.stsdane.relay.core.queue.MessageIntake}. The SMTP commands, relay control, data validation and
 * header handling live in {@code internal}.
 */
package io.stsdane.relay.smtp.inbound;
