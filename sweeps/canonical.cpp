#include "sweeps/canonical.h"

#include <fmt/format.h>
#include <charconv>

#include "sweeps/setting.h"
#include "sweeps/spec.h"

namespace sweeps {

std::string format_number(double value) {
  if (value == 0) value = 0;  // -0 and 0 are the same setting
  char buffer[32];
  // std::to_chars without a format gives the shortest text that round-trips, locale-free.
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string hex16(std::uint64_t value) {
  return fmt::format("{:016x}", value);
}

namespace {

// Keeps one setting per line whatever a text value contains.
void append_escaped(std::string& out, const std::string& text) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

}  // namespace

CanonicalTexts canonical_texts(const nn::TrialConfig& config) {
  CanonicalTexts texts;
  texts.values.reserve(settings().size());
  std::string line;
  for (const Setting& setting : settings()) {
    if (!setting.applies(config)) {
      texts.values.emplace_back();
      continue;
    }
    texts.values.push_back(setting.text(config));
    if (setting.role == Role::analysis) continue;
    line.assign(setting.key).append(": ");
    append_escaped(line, texts.values.back());
    line += '\n';
    // A setting at its neutral value is in none of the texts: adding it moved no id or seed.
    if (!setting.neutral.empty() && texts.values.back() == setting.neutral) continue;
    texts.identity += line;
    if (!setting.budget) texts.training += line;
    if (setting.stream) texts.stream += line;
    if (is_data(setting)) texts.data += line;
  }
  return texts;
}

std::string canonical(const nn::TrialConfig& config, CanonicalPart part) {
  CanonicalTexts texts = canonical_texts(config);
  switch (part) {
    case CanonicalPart::stream:
      return std::move(texts.stream);
    case CanonicalPart::data:
      return std::move(texts.data);
    case CanonicalPart::identity:
      break;
  }
  return std::move(texts.identity);
}

std::string canonical(const nn::TrialConfig& config) {
  return canonical(config, CanonicalPart::identity);
}

// FNV-1a over the bytes, then the splitmix64 finaliser to spread FNV's weak low bits. Written
// here rather than taken from boost::hash or std::hash because ids and seeds must never
// change: std::hash is implementation-defined and boost::hash_combine changed its mixing
// between Boost versions.
std::uint64_t fnv1a(std::uint64_t state, std::string_view text) {
  for (unsigned char c : text) {
    state ^= c;
    state *= 0x100000001b3ULL;  // FNV prime
  }
  return state;
}

std::uint64_t stable_hash(std::string_view text) {
  return mix64(fnv1a(kFnvBasis, text));
}

std::uint64_t mix64(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace sweeps
