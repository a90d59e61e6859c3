/* libssl.so for civetweb: OpenSSL 3's libssl plus the one symbol civetweb 1.15 still looks up.
 *
 * civetweb (as Debian builds it) loads "libssl.so" and "libcrypto.so" with dlopen and resolves
 * every function it uses with dlsym. OpenSSL 3 renamed SSL_get_peer_certificate to
 * SSL_get1_peer_certificate and keeps the old name only as a macro, so the lookup fails and
 * civetweb calls a null pointer on the first TLS connection (upstream civetweb issue 1334).
 * This library has the soname "libssl.so", depends on the real libssl.so.3 and libcrypto.so.3
 * (dlsym on its handle searches them too) and defines the old name.
 */
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#if OPENSSL_VERSION_MAJOR < 3
#error "the shim is for OpenSSL 3, whose libssl lacks SSL_get_peer_certificate"
#endif

#undef SSL_get_peer_certificate

/* OpenSSL 1.1's SSL_get_peer_certificate returned a new reference (the caller frees it with
 * X509_free), which is exactly what SSL_get1_peer_certificate does; civetweb frees it. */
__attribute__((visibility("default"))) X509 *SSL_get_peer_certificate(const SSL *ssl);

X509 *SSL_get_peer_certificate(const SSL *ssl) { return SSL_get1_peer_certificate(ssl); }

/* Lets the exporter tell this library from a plain OpenSSL libssl.so found by mistake. */
__attribute__((visibility("default"))) int hashtag_exporter_ssl_shim_version(void);

int hashtag_exporter_ssl_shim_version(void) { return 1; }
