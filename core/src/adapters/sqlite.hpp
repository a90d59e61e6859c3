// RAII wrappers of the SQLite C API, for the history store and the importer: a connection, a
// prepared statement, one run of it and a transaction. Errors are StoreError naming the file.
#pragma once

#include <hashtag_exporter/store.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace hashtag_exporter::sqlite {

class Connection {
 public:
  enum class Access { read_write_create, read_only };

  Connection(const std::filesystem::path& path, Access access) : name_(path.string()) {
    // Each owner serialises its uses of the connection, so SQLite's own mutex is not needed.
    const int flags = (access == Access::read_only ? SQLITE_OPEN_READONLY
                                                   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(name_.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw StoreError(name_ + ": cannot open: " + message);
    }
  }
  ~Connection() { sqlite3_close(db_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& name() const { return name_; }

  [[noreturn]] void fail(std::string_view context = {}) const {
    std::string message = name_ + ": ";
    if (!context.empty()) message.append(context).append(": ");
    throw StoreError(message + sqlite3_errmsg(db_));
  }

  void exec(const std::string& sql, std::string_view context = {}) const {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(context);
  }

 private:
  std::string name_;
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(const Connection& connection, const std::string& sql) {
    if (sqlite3_prepare_v3(connection.handle(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT,
                           &statement_, nullptr) != SQLITE_OK) {
      connection.fail();
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* handle() const { return statement_; }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

// One execution of a statement: binds parameters in order, steps, and resets the statement on
// every path so that it releases its read snapshot of the database.
class Run {
 public:
  Run(const Connection& connection, const Statement& statement)
      : connection_(connection), statement_(statement.handle()) {}
  ~Run() { sqlite3_reset(statement_); }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  Run& bind(std::int64_t value) {
    check(sqlite3_bind_int64(statement_, ++parameter_, value));
    return *this;
  }
  Run& bind(std::string_view value) {
    check(sqlite3_bind_text(statement_, ++parameter_, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }

  // True while there is a row to read.
  bool next() {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) connection_.fail();
    return false;
  }

  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
  int type(int column) const { return sqlite3_column_type(statement_, column); }
  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
  std::string text(int column) const {
    const auto* bytes = sqlite3_column_text(statement_, column);
    if (bytes == nullptr) return {};
    return {reinterpret_cast<const char*>(bytes),
            static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) connection_.fail();
  }

  const Connection& connection_;
  sqlite3_stmt* statement_;
  int parameter_ = 0;
};

// The first column of the first row of `sql`, or 0 or "" when there is no row.
inline std::int64_t query_integer(const Connection& connection, const std::string& sql) {
  const Statement statement(connection, sql);
  Run run(connection, statement);
  return run.next() ? run.integer(0) : 0;
}

inline std::string query_text(const Connection& connection, const std::string& sql) {
  const Statement statement(connection, sql);
  Run run(connection, statement);
  return run.next() ? run.text(0) : "";
}

// BEGIN IMMEDIATE takes the write lock up front: another process writing at the same time (a
// cron `collect --once` beside `serve`) then waits within the busy timeout instead of failing
// when a read transaction would have to be upgraded.
class Transaction {
 public:
  enum class Kind { write, read };

  // A write transaction takes the write lock at once, so that it never fails half-way for lack
  // of it. A read transaction takes the file locks and checks the WAL once for all its reads,
  // instead of once per statement.
  explicit Transaction(const Connection& connection, Kind kind = Kind::write)
      : connection_(connection) {
    connection_.exec(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  }
  ~Transaction() {
    if (!committed_) sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    connection_.exec("COMMIT");
    committed_ = true;
  }

 private:
  const Connection& connection_;
  bool committed_ = false;
};

}  // namespace hashtag_exporter::sqlite
