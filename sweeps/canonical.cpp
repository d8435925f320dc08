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
    texts.values.push_back(setting.text(config));
    // data.task came after ids were fixed: at its default it leaves no line, so the ids and
    // seeds of every earlier sweep stay what they were.
    if (setting.key == "data.task" && config.data.task == nn::TaskChoice::automatic) continue;
    line.assign(setting.key).append(": ");
    append_escaped(line, texts.values.back());
    line += '\n';
    texts.all += line;
    if (setting.key != "train.epochs") texts.without_epochs += line;
    if (setting.section() == "data") texts.data += line;
  }
  return texts;
}

std::string canonical(const nn::TrialConfig& config, CanonicalPart part) {
  CanonicalTexts texts = canonical_texts(config);
  switch (part) {
    case CanonicalPart::without_epochs:
      return std::move(texts.without_epochs);
    case CanonicalPart::data:
      return std::move(texts.data);
    case CanonicalPart::all:
      break;
  }
  return std::move(texts.all);
}

std::string canonical(const nn::TrialConfig& config) {
  return canonical(config, CanonicalPart::all);
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
