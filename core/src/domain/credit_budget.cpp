#include <hashtag_exporter/credit_budget.hpp>
#include <hashtag_exporter/utc_day.hpp>

#include <algorithm>

namespace hashtag_exporter {

CreditBudget::Plan CreditBudget::plan(std::vector<std::string> wanted, std::uint64_t per_day,
                                      std::int64_t now_unix_seconds) {
  if (const auto today = utc_midnight(now_unix_seconds); today != day_) {
    day_ = today;
    spent_today_ = 0;
  }
  Plan plan;
  const auto left = per_day > spent_today_ ? per_day - spent_today_ : 0;
  if (per_day == 0 || left >= wanted.size()) {
    spent_today_ += wanted.size();
    plan.fetch = std::move(wanted);
    return plan;
  }
  plan.exhausted = true;
  std::rotate(wanted.begin(),
              wanted.begin() + static_cast<std::ptrdiff_t>(rotation_ % wanted.size()),
              wanted.end());
  rotation_ += left;
  const auto affordable = wanted.begin() + static_cast<std::ptrdiff_t>(left);
  plan.paused.assign(affordable, wanted.end());
  wanted.erase(affordable, wanted.end());
  spent_today_ += wanted.size();
  plan.fetch = std::move(wanted);
  return plan;
}

void CreditBudget::spend(std::uint64_t credits) { spent_today_ += credits; }

std::optional<std::uint64_t> CreditBudget::left(std::uint64_t per_day,
                                                std::int64_t now_unix_seconds) const {
  if (per_day == 0) return std::nullopt;
  const auto spent = utc_midnight(now_unix_seconds) == day_ ? spent_today_ : 0;
  return per_day > spent ? per_day - spent : 0;
}

}  // namespace hashtag_exporter
