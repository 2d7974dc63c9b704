/** The machinery behind {@link io.stsdane.relay.junit.RelayWorld}; not an API. */
package io.stsdane.relay.junit.internal;
