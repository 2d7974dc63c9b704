/** TLSA association-data matching with digest agility, and certificate reference-name matching. Not API. */
package io.stsdane.relay.dane.internal;
