/* libcrypto.so for civetweb: no code of its own, only a dependency on OpenSSL 3's libcrypto.so.3.
 *
 * civetweb loads "libcrypto.so" by that name, which on Debian exists only with libssl-dev
 * installed. This library has that soname and depends on the runtime libcrypto.so.3, so
 * dlsym on its handle finds every libcrypto function.
 */
__attribute__((visibility("default"))) int hashtag_exporter_crypto_shim_version(void);

int hashtag_exporter_crypto_shim_version(void) { return 1; }
