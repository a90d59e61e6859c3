#include "recycled_body.hpp"

#include <utility>

namespace hashtag_exporter::prometheus_exporter {

std::shared_ptr<const std::string> RecycledBody::share(std::string text) const {
  return std::shared_ptr<const std::string>(
      new std::string(std::move(text)), [spare = spare_](const std::string* body) {
        std::unique_ptr<std::string> owned(const_cast<std::string*>(body));  // made non-const
        const std::lock_guard lock(spare->mutex);
        if (owned->capacity() > spare->buffer.capacity()) spare->buffer = std::move(*owned);
      });
}

std::string RecycledBody::take() const {
  const std::lock_guard lock(spare_->mutex);
  std::string buffer = std::move(spare_->buffer);
  spare_->buffer = std::string();
  buffer.clear();
  return buffer;
}

}  // namespace hashtag_exporter::prometheus_exporter
