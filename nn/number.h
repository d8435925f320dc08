// Numbers read from text: CSV cells, saved models, nnsweep's own result files. One rule set for
// every reader: spaces around the number are ignored, a leading `+` is allowed, then the text
// must be exactly what std::from_chars reads (decimal or exponent notation; `inf`, `infinity`
// and `nan` in any case, with an optional `-`). A value beyond the type's range is refused.
// The locale is never consulted (strtod and iostreams would read "0,5" in some locales).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nn {

// The number `text` holds, or nothing when it holds anything else (empty text included).
std::optional<double> parse_number(std::string_view text);
std::optional<std::int64_t> parse_integer(std::string_view text);
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

}  // namespace nn
