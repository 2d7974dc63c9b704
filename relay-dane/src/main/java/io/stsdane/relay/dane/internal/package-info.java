/**
 * DANE machinery, not API: which TLSA records are usable and TLSA matching with digest agility
 * ({@code TlsaMatching}, {@code AssociationData}), DANE-TA trust anchors and path building through the certificates a
 * server sent ({@code TrustAnchor}, {@code Issuer}, {@code IssuerPaths}), certificate reference-name matching
 * ({@code CertificateNames}).
 */
package io.stsdane.relay.dane.internal;
