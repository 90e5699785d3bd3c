#include "tests/dmp-sim/dmp_fault_injection.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace navette::testing::dmp_sim {

absl::StatusOr<CannedAnswer> ParseCannedAnswer(std::string_view spelling_view) {
  // abseil's string_view is its own type here, not std::string_view.
  const absl::string_view spelling(spelling_view.data(), spelling_view.size());
  CannedAnswer answer;
  if (spelling == "busy") {
    answer.kind = CannedAnswer::Kind::kBusy;
  } else if (spelling == "503") {
    answer.kind = CannedAnswer::Kind::kHttp503;
  } else if (spelling == "drop") {
    answer.kind = CannedAnswer::Kind::kDrop;
  } else if (absl::string_view rest = spelling;
             absl::ConsumePrefix(&rest, "slow:") || absl::ConsumePrefix(&rest, "hold:")) {
    const bool slow = spelling.substr(0, 5) == "slow:";
    int milliseconds = 0;
    if (!absl::SimpleAtoi(rest, &milliseconds) || milliseconds < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "canned answer '", spelling, "': ", slow ? "slow" : "hold", ":<milliseconds> expected"));
    }
    answer.kind = slow ? CannedAnswer::Kind::kSlow : CannedAnswer::Kind::kHold;
    answer.delay = std::chrono::milliseconds(milliseconds);
  } else if (absl::string_view code = spelling;
             absl::ConsumePrefix(&code, "error:") && !code.empty()) {
    answer.kind = CannedAnswer::Kind::kError;
    answer.error_code = std::string(code);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("canned answer '", spelling,
                     "': expected busy, 503, slow:<ms>, hold:<ms>, error:<code> or drop"));
  }
  return answer;
}

void FaultQueue::Push(CannedAnswer answer) {
  std::lock_guard lock(mutex_);
  answers_.push_back(std::move(answer));
}

std::optional<CannedAnswer> FaultQueue::Pop() {
  std::lock_guard lock(mutex_);
  if (answers_.empty()) return std::nullopt;
  CannedAnswer answer = std::move(answers_.front());
  answers_.pop_front();
  return answer;
}

size_t FaultQueue::Clear() {
  std::lock_guard lock(mutex_);
  const size_t cleared = answers_.size();
  answers_.clear();
  return cleared;
}

size_t FaultQueue::size() const {
  std::lock_guard lock(mutex_);
  return answers_.size();
}

}  // namespace navette::testing::dmp_sim
