#pragma once
// Certificates made at test time with the openssl command-line tool, and bcrypt hashes made
// for these tests. Shared by tests/exporters and tests/e2e.

#include "exporter_process.hpp"
#include "temp_dir.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace hashtag_exporter::testing {

// bcrypt (cost 4, the cheapest, to keep tests fast) of "secret" for user "alice" and of
// "hunter2" for "bob", made for these tests with libxcrypt; bob's is in htpasswd's $2y$ form.
inline constexpr const char* kAliceHash =
    "$2b$04$9bX7U7xw0OtG..Oyo2aJ8ucHFHdsnamQGkh/1GvhLn28j.9G1XpRu";
inline constexpr const char* kBobHash =
    "$2y$04$UNYWtUIK1Ycr2Vq3KVsNw.BpE9S0KvwSTd6DaigHYrATm9FrsredK";

// A CA, a server certificate for localhost and 127.0.0.1 signed by it, a client certificate
// (SAN DNS:scraper.example) signed by it, and a client certificate of another CA, as PEM files
// in `dir`: ca.crt, server.crt, server.key, client.crt, client.key, other-client.crt,
// other-client.key, plus other-ca.crt.
struct TestCertificates {
  std::filesystem::path dir;
  std::filesystem::path file(const std::string& name) const { return dir / name; }
  std::string path(const std::string& name) const { return file(name).string(); }
};

inline void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto result = run_command(argv);
  if (result.exit_code != 0) {
    std::string command;
    for (const auto& arg : argv) command += arg + " ";
    throw std::runtime_error("failed: " + command + "\n" + result.output + result.errors);
  }
}

inline TestCertificates make_test_certificates(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const TestCertificates files{dir};
  const auto new_key = [&](const std::string& name) {
    openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
             files.path(name + ".key")});
  };
  const auto make_ca = [&](const std::string& name, const std::string& subject) {
    new_key(name);
    openssl({"req", "-x509", "-new", "-key", files.path(name + ".key"), "-out",
             files.path(name + ".crt"), "-days", "2", "-subj", subject});
  };
  // A leaf certificate signed by `ca` with the given extensions.
  const auto make_leaf = [&](const std::string& name, const std::string& ca,
                             const std::string& subject, const std::string& extensions) {
    new_key(name);
    write_file(files.file(name + ".ext"), "basicConstraints=critical,CA:FALSE\n" + extensions);
    openssl({"req", "-new", "-key", files.path(name + ".key"), "-out", files.path(name + ".csr"),
             "-subj", subject});
    openssl({"x509", "-req", "-in", files.path(name + ".csr"), "-CA", files.path(ca + ".crt"),
             "-CAkey", files.path(ca + ".key"), "-CAcreateserial", "-out",
             files.path(name + ".crt"), "-days", "2", "-extfile", files.path(name + ".ext")});
  };
  make_ca("ca", "/CN=hashtag_exporter test CA");
  make_ca("other-ca", "/CN=some other CA");
  make_leaf("server", "ca", "/CN=localhost",
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  make_leaf("client", "ca", "/CN=scraper",
            "subjectAltName=DNS:scraper.example\nextendedKeyUsage=clientAuth\n");
  make_leaf("other-client", "other-ca", "/CN=intruder",
            "subjectAltName=DNS:scraper.example\nextendedKeyUsage=clientAuth\n");
  return files;
}

}  // namespace hashtag_exporter::testing
