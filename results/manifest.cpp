#include "results/manifest.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "nn/input_error.h"
#include "nn/input_file.h"

namespace results {

std::string format_utc(std::chrono::system_clock::time_point time) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(time);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(seconds)));
}

namespace {

// Hashes and revisions can be all digits; quoting keeps them strings for every YAML reader.
// Empty text is YAML's null.
void quoted(YAML::Emitter& out, const std::string& text, bool empty_is_null = false) {
  if (empty_is_null && text.empty())
    out << YAML::Null;
  else
    out << YAML::DoubleQuoted << text;
}

// Which nnsweep made the run, where and how.
void emit_build(YAML::Emitter& out, const Manifest& m) {
  out << YAML::Key << "nnsweep_version" << YAML::Value;
  quoted(out, m.version);
  out << YAML::Key << "git_revision" << YAML::Value;
  quoted(out, m.git_revision, true);
  out << YAML::Key << "compiler" << YAML::Value << m.compiler;
  out << YAML::Key << "compiler_flags" << YAML::Value;
  quoted(out, m.compiler_flags);
  out << YAML::Key << "eigen" << YAML::Value;
  quoted(out, m.eigen);
  out << YAML::Key << "vector_width" << YAML::Value << m.vector_width;
  out << YAML::Key << "host" << YAML::Value << m.host;
  out << YAML::Key << "threads" << YAML::Value << m.threads;
  out << YAML::Key << "started" << YAML::Value << format_utc(m.started);
  out << YAML::Key << "finished" << YAML::Value;
  if (m.finished)
    out << format_utc(*m.finished);
  else
    out << YAML::Null;
}

void emit_trials(YAML::Emitter& out, const Manifest& m) {
  out << YAML::Key << "trials" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "total" << YAML::Value << m.trials_total;
  out << YAML::Key << "sweep" << YAML::Value << m.sweep_trials;
  out << YAML::Key << "shard" << YAML::Value;
  quoted(out, m.shard, true);
  out << YAML::Key << "done" << YAML::Value << m.counts.total();
  for (std::size_t k = 0; k < kOutcomes; ++k)
    out << YAML::Key << std::string(nn::kOutcomeNames[k]) << YAML::Value << m.counts.n[k];
  out << YAML::EndMap;
}

// As a node the spec can be queried (`yq .spec.train`); text that is not YAML stays a block.
void emit_spec(YAML::Emitter& out, const std::string& spec_yaml) {
  YAML::Node spec;
  try {
    spec = YAML::Load(spec_yaml);
  } catch (const YAML::Exception&) {
  }
  if (spec.IsMap())
    out << spec;
  else
    out << YAML::Literal << spec_yaml;
}

// The specs the rows were made under, oldest first (absent until a run is extended).
void emit_history(YAML::Emitter& out, const std::vector<SpecChange>& history) {
  if (history.empty()) return;
  out << YAML::Key << "history" << YAML::Value << YAML::BeginSeq;
  for (const SpecChange& c : history) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "spec_hash" << YAML::Value;
    quoted(out, c.spec_hash);
    out << YAML::Key << "time" << YAML::Value << c.time << YAML::Key << "kept" << YAML::Value
        << c.kept << YAML::Key << "trained" << YAML::Value << c.trained << YAML::Key << "retired"
        << YAML::Value << c.retired << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

std::vector<SpecChange> read_history(const YAML::Node& history) {
  std::vector<SpecChange> changes;
  if (!history || !history.IsSequence()) return changes;
  for (const YAML::Node& c : history)
    changes.push_back({.spec_hash = c["spec_hash"].as<std::string>(),
                       .time = c["time"].as<std::string>(""),
                       .kept = c["kept"].as<std::uint64_t>(0),
                       .trained = c["trained"].as<std::uint64_t>(0),
                       .retired = c["retired"].as<std::uint64_t>(0)});
  return changes;
}

}  // namespace

std::string format_manifest(const Manifest& m) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "output_format" << YAML::Value << kOutputFormat;
  out << YAML::Key << "id_scheme" << YAML::Value << m.id_scheme;
  emit_build(out, m);
  emit_trials(out, m);
  if (!m.overrides.empty()) {
    out << YAML::Key << "overrides" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& o : m.overrides) quoted(out, o);
    out << YAML::EndSeq;
  }
  if (!m.judged_with.empty()) {
    out << YAML::Key << "judged_with" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& o : m.judged_with) quoted(out, o);
    out << YAML::EndSeq;
  }
  emit_history(out, m.history);
  out << YAML::Key << "spec_hash" << YAML::Value;
  quoted(out, m.spec_hash);
  out << YAML::Key << "spec" << YAML::Value;
  emit_spec(out, m.spec_yaml);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

namespace {

YAML::Node load_manifest(const std::string& manifest_text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(manifest_text);
  } catch (const YAML::ParserException& e) {
    throw nn::InputError(file, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  const YAML::Node hash = root.IsMap() ? root["spec_hash"] : YAML::Node();
  if (!hash || !hash.IsScalar() || hash.Scalar().empty())
    throw nn::InputError(file, 0, 0, "not an nnsweep manifest: no spec_hash");
  return root;
}

}  // namespace

std::string with_judged_with(const std::string& manifest_text,
                             const std::vector<std::string>& judged_with) {
  std::string out;
  std::string_view rest = manifest_text;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line =
        rest.substr(0, end == std::string_view::npos ? rest.size() : end + 1);
    rest.remove_prefix(line.size());
    if (line.starts_with("judged_with:")) continue;
    if (line.starts_with("spec_hash:") && !judged_with.empty()) {
      YAML::Emitter item;
      item << YAML::BeginMap << YAML::Key << "judged_with" << YAML::Value << YAML::Flow
           << YAML::BeginSeq;
      for (const std::string& o : judged_with) item << YAML::DoubleQuoted << o;
      item << YAML::EndSeq << YAML::EndMap;
      out += item.c_str();
      out += '\n';
    }
    out += line;
  }
  return out;
}

ManifestInfo read_manifest_info(const std::string& manifest_text, const std::string& file) {
  const YAML::Node root = load_manifest(manifest_text, file);
  ManifestInfo info;
  info.spec_hash = root["spec_hash"].Scalar();
  YAML::Emitter spec;
  spec << root["spec"];
  info.spec_yaml = spec.c_str();
  try {
    if (root["output_format"]) info.output_format = root["output_format"].as<int>();
    if (root["id_scheme"]) info.id_scheme = root["id_scheme"].as<int>();
    const YAML::Node report = root["spec"]["report"];
    for (auto [key, field] : {std::pair{"rows", &info.pivot.rows},
                              {"cols", &info.pivot.cols},
                              {"cell", &info.pivot.cell}})
      if (report && report[key]) *field = report[key].as<std::string>();
    for (auto [key, field] : {std::pair{"compiler", &info.compiler},
                              {"compiler_flags", &info.compiler_flags},
                              {"eigen", &info.eigen}})
      if (root[key] && root[key].IsScalar()) *field = root[key].Scalar();
    if (const YAML::Node judged = root["judged_with"]; judged && judged.IsSequence())
      for (const auto& o : judged) info.judged_with.push_back(o.as<std::string>());
    if (const YAML::Node given = root["overrides"]; given && given.IsSequence())
      for (const auto& o : given) info.overrides.push_back(o.as<std::string>());
    const YAML::Node trials = root["trials"];
    if (trials && trials["sweep"]) info.sweep_trials = trials["sweep"].as<std::uint64_t>();
    if (trials && trials["shard"] && !trials["shard"].IsNull())
      info.shard = trials["shard"].as<std::string>();
    info.history = read_history(root["history"]);
    if (root["started"] && root["started"].IsScalar()) info.started = root["started"].Scalar();
    if (root["extending"] && root["extending"].IsScalar())
      info.extending = root["extending"].Scalar();
  } catch (const YAML::Exception& e) {
    throw nn::InputError(file, e.mark.line + 1, e.mark.column + 1, "manifest: " + e.msg);
  }
  return info;
}

std::optional<ManifestInfo> read_manifest(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "manifest.yaml";
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::symlink_status(path, error))) return std::nullopt;
  return read_manifest_info(nn::read_input_file(path.string(), "manifest"), path.string());
}

}  // namespace results
