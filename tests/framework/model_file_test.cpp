#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <boost/crc.hpp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fnn/atomic_file.hpp>
#include <fnn/file_identity.hpp>
#include <fnn/model_file.hpp>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using fnn::test::error_message;
using Json = nlohmann::json;

namespace {

fnn::ModelFile sample_model() {
  fnn::ModelFile model;
  model.network = fnn::NetworkSpec{2};
  model.network.add("dense", {{"units", "4"}, {"bias", "true"}})
      .add("sigmoid")
      .add("dense", {{"units", "1"}});
  // Values that a text format or a careless conversion would change.
  model.tensors["parameters"] = {0.1f,
                                 -0.0f,
                                 std::numeric_limits<float>::denorm_min(),
                                 std::numeric_limits<float>::max(),
                                 std::numeric_limits<float>::lowest(),
                                 std::numeric_limits<float>::infinity(),
                                 std::bit_cast<float>(std::uint32_t{0x7fc01234}),  // NaN payload
                                 3.14159265f};
  model.tensors["optimizer_state"] = {1.0f, 2.0f, 3.0f};
  model.tensors["empty"] = {};
  model.metadata = {{"epochs", "12"}, {"note", "größe \"quoted\" {\"checksum\":\"00000000\"}"}};
  return model;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::uint64_t header_length(const std::string& bytes) {
  std::uint64_t length = 0;
  for (std::size_t i = 8; i-- > 0;) length = (length << 8) | static_cast<unsigned char>(bytes[i]);
  return length;
}

// A safetensors file from header text and data, with no checksum fixing.
std::string frame(const std::string& header, const std::string& data) {
  std::string bytes;
  for (std::size_t i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(header.size() >> (8 * i)));
  return bytes + header + data;
}

// Fills in the checksum the way the format defines it, when the file has one.
std::string with_checksum(std::string bytes) {
  const std::string key = "\"checksum\":\"";
  const std::size_t found = bytes.find(key);
  if (found == std::string::npos) return bytes;
  const std::size_t at = found + key.size();
  bytes.replace(at, 8, "00000000");
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(crc.checksum()));
  bytes.replace(at, 8, hex);
  return bytes;
}

// A saved model as fnn writes it, in a directory of its own.
struct SavedModel {
  fnn::test::TemporaryDirectory directory;
  fs::path file = directory.path() / "model.safetensors";
  std::string bytes;

  SavedModel() {
    fnn::write_model_file(file, sample_model());
    bytes = read_file(file);
  }

  Json header() const { return Json::parse(bytes.substr(8, header_length(bytes))); }
  std::string data() const { return bytes.substr(8 + header_length(bytes)); }

  // Writes `changed` as the model file and returns the message of loading it.
  std::string load_error(const std::string& changed) const {
    write_file(file, changed);
    return error_message([&] { (void)fnn::read_model_file(file); });
  }
  // The same, for the file with its header and data edited and a checksum that fits again.
  std::string load_error(const std::function<void(Json& header, std::string& data)>& edit) const {
    Json edited_header = header();
    std::string edited_data = data();
    edit(edited_header, edited_data);
    return load_error(with_checksum(frame(edited_header.dump(), edited_data)));
  }
  std::string where() const { return "model file '" + file.string() + "' "; }
  std::string malformed(const std::string& why) const {
    return where() + "is malformed: " + why + "; save the model again";
  }
  std::string not_a_model(const std::string& why) const {
    return where() + "is not an fnn model: " + why + "; give a model file saved by fnn";
  }
};

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), 4 * a.size()) == 0);
}

std::vector<fs::path> entries(const fs::path& directory) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(directory)) found.push_back(entry.path());
  std::sort(found.begin(), found.end());
  return found;
}

// Makes writes past `bytes` fail with EFBIG (instead of a signal) while it lives.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &previous_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = previous_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &previous_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit previous_{};
  void (*previous_handler_)(int) = nullptr;
};

}  // namespace

TEST_CASE("a model survives a save and load bit for bit", "[model_file]") {
  const fnn::ModelFile original = sample_model();
  SavedModel saved;
  fnn::write_model_file(saved.file, original);  // over the existing file
  CHECK(entries(saved.directory.path()) == std::vector<fs::path>{saved.file});

  const fnn::ModelFile loaded = fnn::read_model_file(saved.file);
  CHECK(loaded.network.inputs == 2);
  REQUIRE(loaded.network.layers.size() == original.network.layers.size());
  for (std::size_t i = 0; i < loaded.network.layers.size(); ++i) {
    CHECK(loaded.network.layers[i].name == original.network.layers[i].name);
    CHECK(loaded.network.layers[i].options.entries() ==
          original.network.layers[i].options.entries());
  }
  REQUIRE(loaded.tensors.size() == original.tensors.size());
  for (const auto& [name, values] : original.tensors) {
    INFO("tensor " << name);
    REQUIRE(loaded.tensors.contains(name));
    CHECK(same_bits(loaded.tensors.at(name), values));
  }
  CHECK(loaded.metadata == original.metadata);
}

TEST_CASE("a model file is safetensors with fnn metadata", "[model_file]") {
  const SavedModel saved;
  const std::uint64_t length = header_length(saved.bytes);
  REQUIRE(8 + length <= saved.bytes.size());
  CHECK((8 + length) % 8 == 0);
  const std::string text = saved.bytes.substr(8, length);
  CHECK(text.front() == '{');
  CHECK(text.substr(text.rfind('}') + 1).find_first_not_of(' ') == std::string::npos);

  const Json header = saved.header();
  REQUIRE(header.is_object());
  const std::string data = saved.data();
  std::uint64_t offset = 0;
  const fnn::ModelFile model = sample_model();
  for (const auto& [name, values] : model.tensors) {  // packed in name order
    INFO("tensor " << name);
    const Json& entry = header.at(name);
    CHECK(entry.at("dtype") == "F32");
    CHECK(entry.at("shape") == Json::array({values.size()}));
    CHECK(entry.at("data_offsets") == Json::array({offset, offset + 4 * values.size()}));
    std::vector<float> stored(values.size());
    if (!stored.empty()) std::memcpy(stored.data(), data.data() + offset, 4 * stored.size());
    CHECK(same_bits(stored, values));
    offset += 4 * values.size();
  }
  CHECK(offset == data.size());
  CHECK(header.size() == model.tensors.size() + 1);

  const Json& metadata = header.at("__metadata__");
  for (const auto& [key, value] : metadata.items()) {
    INFO("metadata " << key);
    CHECK(value.is_string());
  }
  CHECK(metadata.at("format") == "fnn-model");
  CHECK(metadata.at("format_version") == "1");
  CHECK(metadata.at("fnn_version") == fnn::version);
  CHECK(metadata.at("epochs") == "12");
  CHECK(Json::parse(metadata.at("network").get<std::string>()) ==
        Json::parse(R"({"inputs": 2, "layers": [
            {"name": "dense", "options": {"bias": "true", "units": "4"}},
            {"name": "sigmoid", "options": {}},
            {"name": "dense", "options": {"units": "1"}}]})"));
  const std::string checksum = metadata.at("checksum");
  CHECK(checksum.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(checksum.size() == 8);
  CHECK(with_checksum(saved.bytes) == saved.bytes);

  // Python's safetensors, where it is installed, reads the tensors too.
  if (std::system("/usr/bin/python3 -c 'import safetensors.numpy' >/dev/null 2>&1") == 0) {
    const std::string command =
        "/usr/bin/python3 -c 'import sys, safetensors.numpy as s; t = s.load_file(sys.argv[1]); "
        "sys.exit(0 if t[\"optimizer_state\"].tolist() == [1.0, 2.0, 3.0] and "
        "t[\"empty\"].size == 0 else 1)' '" +
        saved.file.string() + "'";
    CHECK(std::system(command.c_str()) == 0);
  }
}

TEST_CASE("saving refuses metadata that fnn reserves", "[model_file]") {
  SavedModel saved;
  for (const std::string key : {"format", "format_version", "fnn_version", "network", "checksum"}) {
    fnn::ModelFile model = sample_model();
    model.metadata[key] = "mine";
    CHECK_THROWS_AS(fnn::write_model_file(saved.file, model), fnn::SpecError);
    CHECK(error_message([&] { fnn::write_model_file(saved.file, model); }) ==
          "model metadata key '" + key +
              "' is reserved for fnn (checksum, fnn_version, format, format_version, network): "
              "choose another name");
  }
  fnn::ModelFile model = sample_model();
  model.tensors["__metadata__"] = {1.0f};
  CHECK(error_message([&] { fnn::write_model_file(saved.file, model); }) ==
        "a model tensor cannot be called '__metadata__'");
  model = sample_model();
  model.metadata["bytes"] = "\xff\xfe";
  CHECK(error_message([&] { fnn::write_model_file(saved.file, model); }) ==
        "a model tensor name or metadata entry is not valid UTF-8 text");
  model = sample_model();
  model.network.add("dense", {{"units", "\xff"}});
  CHECK(error_message([&] { fnn::write_model_file(saved.file, model); }) ==
        "a layer name or option of the network is not valid UTF-8 text");
  CHECK(read_file(saved.file) == saved.bytes);
  CHECK(entries(saved.directory.path()) == std::vector<fs::path>{saved.file});
}

TEST_CASE("a failed save leaves the existing file as it was", "[model_file]") {
  SavedModel saved;
  const fs::path directory = saved.directory.path();

  SECTION("a missing directory") {
    const fs::path file = directory / "absent" / "model.safetensors";
    CHECK_THAT(
        error_message([&] { fnn::write_model_file(file, sample_model()); }),
        StartsWith("cannot save '" + file.string() + "': cannot create the temporary file '" +
                   (directory / "absent").string()) &&
            Contains("check that the directory exists and is writable"));
    CHECK_FALSE(fs::exists(directory / "absent"));
  }
  SECTION("a path that is a directory") {
    const fs::path file = directory / "models";
    fs::create_directory(file);
    write_file(file / "kept", "kept");
    CHECK(error_message([&] { fnn::write_model_file(file, sample_model()); }) ==
          "cannot save '" + file.string() + "': it is a directory; give a file name");
    CHECK(entries(file) == std::vector<fs::path>{file / "kept"});
    fs::remove_all(file);
  }
  SECTION("a write that fails half way") {
    fnn::ModelFile big = sample_model();
    big.tensors["parameters"].assign(100000, 0.25f);
    std::string message;
    {
      const FileSizeLimit limit(1024);
      message = error_message([&] { fnn::write_model_file(saved.file, big); });
    }
    CHECK_THAT(message, StartsWith("cannot save '" + saved.file.string() + "': writing '") &&
                            Contains("' failed (File too large); check the free disk space"));
  }
  CHECK(read_file(saved.file) == saved.bytes);
  CHECK(entries(directory) == std::vector<fs::path>{saved.file});
}

TEST_CASE("loading names a missing file or a directory", "[model_file]") {
  const fnn::test::TemporaryDirectory directory;
  const fs::path file = directory.path() / "absent.safetensors";
  CHECK_THROWS_AS(fnn::read_model_file(file), fnn::DataError);
  CHECK(error_message([&] { (void)fnn::read_model_file(file); }) ==
        "model file '" + file.string() + "' does not exist: check the path");
  CHECK(error_message([&] { (void)fnn::read_model_file(directory.path()); }) ==
        "model file '" + directory.path().string() + "' is a directory, not a file");
}

TEST_CASE("a truncated model file is reported as truncated", "[model_file]") {
  const SavedModel saved;
  const std::string truncated = saved.where() + "is truncated: ";
  const std::string advice = "; it was not completely written or copied, save it again";
  CHECK(saved.load_error(saved.bytes.substr(0, 5)) ==
        truncated +
            "it has 5 bytes, fewer than the 8-byte header length every model file starts with" +
            advice);
  const std::uint64_t length = header_length(saved.bytes);
  CHECK(saved.load_error(saved.bytes.substr(0, 20)) ==
        truncated + "its header length is " + std::to_string(length) +
            " bytes, but only 12 bytes follow" + advice);
  CHECK(saved.load_error(saved.bytes.substr(0, saved.bytes.size() - 3)) ==
        truncated + "tensor 'parameters' has data_offsets [12, 44], but the file holds only 41 " +
            "bytes of tensor data" + advice);
}

TEST_CASE("a changed byte fails the checksum", "[model_file]") {
  const SavedModel saved;
  std::string corrupted = saved.bytes;
  corrupted[corrupted.size() - 2] ^= 0x10;
  const std::string expected = saved.header()["__metadata__"]["checksum"];
  const std::string fixed = with_checksum(corrupted);
  const std::string found =
      Json::parse(fixed.substr(8, header_length(fixed)))["__metadata__"]["checksum"];
  REQUIRE(found != expected);
  CHECK(saved.load_error(corrupted) ==
        saved.where() + "is damaged (checksum mismatch): expected " + expected +
            " (stored in the file), found " + found +
            " (computed from its bytes); restore it from a copy or save the model again");
}

TEST_CASE("a model from a newer fnn names both format versions", "[model_file]") {
  const SavedModel saved;
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["__metadata__"]["format_version"] = "99";
  }) == saved.where() + "has format version 99, but this fnn (" + fnn::version +
            ") reads format versions up to 1: upgrade fnn to load it");
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["__metadata__"]["format_version"] = "one";
  }) == saved.malformed("its format_version 'one' is not a whole number from 1"));
}

TEST_CASE("a file that is not an fnn model is refused", "[model_file]") {
  const SavedModel saved;
  CHECK(saved.load_error("this is plain text, not a model\n") ==
        saved.not_a_model("it is not a safetensors file"));
  CHECK_THAT(saved.load_error(frame("{oops", "")),
             StartsWith(saved.where() +
                        "is not an fnn model: its safetensors header is not valid JSON (error at "
                        "byte "));
  CHECK(saved.load_error(frame("[1]", "")) ==
        saved.not_a_model("its safetensors header is not a JSON object"));
  // Found by the fuzzer: the JSON parser throws a different exception for this one.
  CHECK(saved.load_error(frame("[2,2e5620]", "")) ==
        saved.not_a_model("its safetensors header holds a number too large for a double"));
  CHECK(saved.load_error(frame("{}", "")) ==
        saved.not_a_model("its safetensors header has no \"__metadata__\""));
  CHECK(saved.load_error(frame(R"({"__metadata__": {"format": "pt"}})", "")) ==
        saved.not_a_model("its metadata has no \"format\": \"fnn-model\""));
}

TEST_CASE("malformed tensors are reported", "[model_file]") {
  const SavedModel saved;
  // As saved: empty [0, 0], optimizer_state [0, 12], parameters [12, 44].
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["parameters"]["dtype"] = "F64";
  }) == saved.malformed("tensor 'parameters' has dtype \"F64\", but fnn reads only \"F32\""));
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["optimizer_state"]["shape"] = {4};
  }) == saved.malformed("tensor 'optimizer_state' has shape [4] (4 floats) but data_offsets "
                        "[0, 12] (12 bytes)"));
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["parameters"]["data_offsets"] = "x";
  }) == saved.malformed("tensor 'parameters' has no \"data_offsets\" pair"));
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["parameters"]["data_offsets"] = {12, 8};
  }) == saved.malformed("tensor 'parameters' has data_offsets [12, 8], which end before they "
                        "begin"));
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["parameters"]["data_offsets"] = {8, 40};
  }) == saved.malformed("tensors 'optimizer_state' and 'parameters' overlap"));
  // The edited header is not padded, so the data starts where the written file says.
  const auto unclaimed = [&](std::size_t from, std::size_t to) {
    const std::size_t data_start = 8 + header_length(read_file(saved.file));
    return saved.malformed("file bytes " + std::to_string(data_start + from) + " to " +
                           std::to_string(data_start + to) + " belong to no tensor");
  };
  std::string message = saved.load_error([](Json& header, std::string& data) {
    header["parameters"]["data_offsets"] = {16, 48};
    data.insert(12, 4, '\0');
  });
  CHECK(message == unclaimed(12, 16));
  message = saved.load_error([](Json&, std::string& data) { data.append(4, '\0'); });
  CHECK(message == unclaimed(44, 48));
}

TEST_CASE("malformed metadata and network specs are reported", "[model_file]") {
  const SavedModel saved;
  const auto with_network = [&](const std::string& network) {
    return saved.load_error(
        [&](Json& header, std::string&) { header["__metadata__"]["network"] = network; });
  };
  const auto spec_error = [&](const std::string& why) {
    return saved.malformed("in its network spec, " + why);
  };
  CHECK(with_network("{") == spec_error("it is not valid JSON"));
  CHECK(with_network(R"({"layers": []})") ==
        spec_error("\"inputs\" is missing or not a whole number"));
  CHECK(with_network(R"({"inputs": -2, "layers": []})") ==
        spec_error("\"inputs\" is missing or not a whole number"));
  CHECK(with_network(R"({"inputs": 2, "layers": {}})") ==
        spec_error("\"layers\" is missing or not an array"));
  CHECK(with_network(R"({"inputs": 2, "layers": [{"options": {}}]})") ==
        spec_error("layer 1 has no \"name\" string"));
  CHECK(with_network(R"({"inputs": 2, "layers": [{"name": "dense", "options": {"units": 4}}]})") ==
        spec_error("layer 1 option 'units' is 4, not a string"));
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["__metadata__"].erase("network");
  }) == saved.malformed("its metadata has no \"network\" spec"));
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["__metadata__"]["epochs"] = 12;
  }) == saved.malformed("metadata entry 'epochs' is not a string"));
  CHECK(saved.load_error([](Json& header, std::string&) {
    header["__metadata__"].erase("checksum");
  }) == saved.malformed("its metadata has no checksum"));
}

TEST_CASE("every damaged or cut copy of a model is refused with a DataError", "[model_file]") {
  const SavedModel saved;
  // A new file each time: truncating one file over and over is slow on some file systems.
  const auto refused = [&](const std::string& bytes, const std::string& name) {
    const fs::path copy = saved.directory.path() / name;
    write_file(copy, bytes);
    CHECK_THROWS_AS(fnn::read_model_file(copy), fnn::DataError);
    fs::remove(copy);
  };
  for (std::size_t i = 0; i < saved.bytes.size(); ++i) {
    INFO("byte " << i);
    std::string damaged = saved.bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    refused(damaged, "damaged-" + std::to_string(i));
    refused(saved.bytes.substr(0, i), "cut-" + std::to_string(i));
  }
}

TEST_CASE("a changed byte anywhere but in the checksum's own key is called damaged, not 'not a "
          "model'",
          "[model_file]") {
  const SavedModel saved;
  const std::size_t key = saved.bytes.find("\"checksum\":\"");
  REQUIRE(key != std::string::npos);
  std::size_t damaged_count = 0;
  std::size_t changes = 0;
  for (std::size_t i = 0; i < saved.bytes.size(); ++i) {
    if (i >= key && i < key + 12) continue;  // without its key the checksum cannot be found
    INFO("byte " << i);
    for (const unsigned char flip : {0x01, 0x20, 0x80}) {
      std::string damaged = saved.bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ flip);
      const std::string message = saved.load_error(damaged);
      // A changed length or offset can also read as a cut file, a diagnosis as useful.
      CHECK_THAT(message, Catch::Matchers::Contains("is damaged (") ||
                              Catch::Matchers::Contains("is truncated: "));
      if (message.find("is damaged (") != std::string::npos) ++damaged_count;
      ++changes;
    }
  }
  INFO(damaged_count << " of " << changes << " called damaged");
  CHECK(damaged_count * 100 >= changes * 95);
}

TEST_CASE("temporaries of writers that were killed are removed, others are kept", "[model_file]") {
  const fnn::test::TemporaryDirectory directory;
  const fs::path file = directory.path() / "m.fnn";
  // A process id that is certainly gone: a child that has exited and been reaped.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  REQUIRE(child > 0);
  ::waitpid(child, nullptr, 0);
  const auto touch = [&](const std::string& name) {
    std::ofstream(directory.path() / name) << "half a model";
    return directory.path() / name;
  };
  const fs::path stale = touch(fnn::temporary_name(file, child, 0));
  const std::string name = stale.filename().string();
  // ".m.fnn.tmp-HOST-PID-0", HOST this machine's name.
  const std::string pid_part = std::string("-").append(std::to_string(child)).append("-0");
  REQUIRE_THAT(name, StartsWith(".m.fnn.tmp-") && EndsWith(pid_part));
  const std::string host_part = name.substr(11, name.size() - 11 - pid_part.size());
  REQUIRE(!host_part.empty());
  const fs::path own = touch(fnn::temporary_name(file, ::getpid(), 7));
  const fs::path other_file = touch(fnn::temporary_name(directory.path() / "other.fnn", child, 0));
  const fs::path not_ours = touch(std::string(".m.fnn.tmp-").append(host_part).append("-notapid-0"));
  // Another host's writer with that process id (a shared directory): its id means nothing here.
  const fs::path other_host =
      touch(std::string(".m.fnn.tmp-").append(host_part).append("x").append(pid_part));
  fnn::write_model_file(file, sample_model());
  CHECK_FALSE(fs::exists(stale));
  CHECK(fs::exists(own));  // this process's: possibly another thread's write in progress
  CHECK(fs::exists(other_file));
  CHECK(fs::exists(not_ours));
  CHECK(fs::exists(other_host));
  const fs::path again = touch(fnn::temporary_name(file, child, 3));
  fnn::remove_stale_temporaries(file);
  CHECK_FALSE(fs::exists(again));
}

TEST_CASE("the atomic writer keeps what the target is", "[model_file][atomic_file]") {
  const fnn::test::TemporaryDirectory directory;
  const fs::path file = directory.path() / "out.txt";
  SECTION("a symbolic link is followed: its target is replaced, the link stays") {
    fs::create_directory(directory.path() / "real");
    write_file(directory.path() / "real" / "out.txt", "old");
    fs::create_symlink("real/out.txt", file);
    fnn::write_file_atomically(file, "new");
    CHECK(fs::is_symlink(file));
    CHECK(read_file(directory.path() / "real" / "out.txt") == "new");
    // A dangling link: its target is created.
    fs::create_symlink("real/later.txt", directory.path() / "dangling");
    fnn::write_file_atomically(directory.path() / "dangling", "later");
    CHECK(fs::is_symlink(directory.path() / "dangling"));
    CHECK(read_file(directory.path() / "real" / "later.txt") == "later");
  }
  SECTION("a FIFO is written in place, not replaced") {
    REQUIRE(::mkfifo(file.c_str(), 0600) == 0);
    // The reader is there first (so the writer's open does not wait for one) and never blocks,
    // so that a writer that replaced the FIFO fails the test instead of hanging it.
    const int reader = ::open(file.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(reader >= 0);
    fnn::write_file_atomically(file, "through the pipe");
    std::string received(64, '\0');
    const ::ssize_t got = ::read(reader, received.data(), received.size());
    ::close(reader);
    received.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    CHECK(received == "through the pipe");
    CHECK(fs::is_fifo(file));
  }
  SECTION("a character device is written in place") {
    if (::access("/dev/null", W_OK) != 0) {
      WARN("/dev/null is not writable here: not checked");
      return;
    }
    fnn::write_file_atomically("/dev/null", "discarded");
    CHECK(fs::is_character_file("/dev/null"));
  }
  SECTION("an existing file keeps its permission bits") {
    write_file(file, "old");
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
    fnn::write_file_atomically(file, "new");
    CHECK(read_file(file) == "new");
    CHECK(fs::status(file).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
    fs::permissions(file, fs::perms::owner_all | fs::perms::group_read);
    fnn::write_file_atomically(file, "newer");
    CHECK(fs::status(file).permissions() == (fs::perms::owner_all | fs::perms::group_read));
  }
  SECTION("a hard-linked file is replaced: the other name keeps the old contents") {
    write_file(file, "old");
    fs::create_hard_link(file, directory.path() / "other.txt");
    fnn::write_file_atomically(file, "new");
    CHECK(read_file(file) == "new");
    CHECK(read_file(directory.path() / "other.txt") == "old");
    CHECK(fs::hard_link_count(file) == 1);
  }
  SECTION("a name near the file system's limit still gets a temporary; its stale ones go") {
    const long limit = ::pathconf(directory.path().c_str(), _PC_NAME_MAX);
    REQUIRE(limit > 20);
    const fs::path longest = directory.path() / std::string(static_cast<std::size_t>(limit), 'n');
    fnn::write_file_atomically(longest, "long");
    CHECK(read_file(longest) == "long");
    CHECK(entries(directory.path()) == std::vector<fs::path>{longest});
    // The temporary a killed writer of that name would leave: found by a writer's own naming.
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    const fs::path stale = directory.path() / fnn::temporary_name(longest, child, 0);
    CHECK(stale.filename().string().size() <= static_cast<std::size_t>(limit));
    write_file(stale, "half");
    fnn::remove_stale_temporaries(longest);
    CHECK(entries(directory.path()) == std::vector<fs::path>{longest});
    CHECK_THAT(error_message([&] { fnn::write_file_atomically(longest.string() + "x", "x"); }),
               Contains("too long"));
  }
  SECTION("an empty name is refused") {
    CHECK_THAT(error_message([&] { fnn::write_file_atomically("", "x"); }),
               Contains("no file name"));
  }
}

TEST_CASE("file_identity tells files apart after symbolic links, also before they exist",
          "[model_file][atomic_file]") {
  const fnn::test::TemporaryDirectory directory;
  const fs::path file = directory.path() / "data.csv";
  write_file(file, "a\n1\n");
  fs::create_symlink("data.csv", directory.path() / "link.csv");
  fs::create_directory(directory.path() / "sub");
  CHECK(fnn::file_identity(file) == fnn::file_identity(directory.path() / "link.csv"));
  CHECK(fnn::file_identity(file) ==
        fnn::file_identity(directory.path() / "sub" / ".." / "data.csv"));
  CHECK(fnn::file_identity(file).regular);
  CHECK(fnn::file_identity(file) != fnn::file_identity(directory.path() / "other.csv"));
  CHECK(fnn::file_identity(directory.path() / "new.fnn") ==
        fnn::file_identity(directory.path() / "sub" / ".." / "new.fnn"));
  CHECK_FALSE(fnn::file_identity(directory.path() / "new.fnn").exists);
  fs::create_symlink("sub/later.fnn", directory.path() / "dangling");
  CHECK(fnn::file_identity(directory.path() / "dangling") ==
        fnn::file_identity(directory.path() / "sub" / "later.fnn"));
  CHECK(fnn::file_identity(directory.path() / "absent" / "x") ==
        fnn::file_identity(directory.path() / "sub" / ".." / "absent" / "x"));
  CHECK_FALSE(fnn::file_identity("/dev/null").regular);
  CHECK(fnn::process_descriptor("/dev/stdout") == 1);
  CHECK(fnn::process_descriptor("/dev/fd/2") == 2);
  CHECK_FALSE(fnn::process_descriptor(file));
}

TEST_CASE("check_writable proves an output can be written without writing it",
          "[model_file][atomic_file]") {
  const fnn::test::TemporaryDirectory directory;
  CHECK_NOTHROW(fnn::check_writable(directory.path() / "new.fnn"));
  CHECK(entries(directory.path()).empty());
  CHECK_THAT(error_message([&] { fnn::check_writable(directory.path() / "absent" / "m.fnn"); }),
             Contains("absent") && Contains("directory"));
  CHECK_THAT(error_message([&] { fnn::check_writable(directory.path()); }),
             Contains("is a directory"));
  CHECK_THAT(error_message([&] { fnn::check_writable(""); }), Contains("no file name"));
  CHECK_NOTHROW(fnn::check_writable("/dev/stdout"));
}

TEST_CASE("read_model_file_bytes reads a model in memory as read_model_file reads the file",
          "[model_file]") {
  SavedModel saved;
  fnn::write_model_file(saved.file, sample_model());
  const std::string bytes = read_file(saved.file);
  const fnn::ModelFile loaded = fnn::read_model_file_bytes(bytes, "in-memory.fnn");
  CHECK(loaded.metadata == sample_model().metadata);
  CHECK(same_bits(loaded.tensors.at("parameters"), sample_model().tensors.at("parameters")));

  std::string damaged = bytes;
  damaged.back() ^= 1;
  CHECK_THAT(error_message([&] { fnn::read_model_file_bytes(damaged, "in-memory.fnn"); }),
             StartsWith("model file 'in-memory.fnn' is damaged (checksum mismatch)"));
}

// Found by fuzzing (tests/fuzz): messages printed the offending JSON value with dump(), which
// recurses, so a deeply nested value overflowed the stack before the checksum was even checked.
TEST_CASE("deeply nested JSON values in a model file are reported, not recursed into",
          "[model_file]") {
  const SavedModel saved;
  constexpr std::size_t depth = 300000;
  const std::string nested = std::string(depth, '[') + std::string(depth, ']');

  std::string header = saved.header().dump();
  const std::string dtype = "\"dtype\":\"F32\"";
  const std::size_t at = header.find(dtype);
  REQUIRE(at != std::string::npos);
  header.replace(at, dtype.size(), "\"dtype\":" + nested);
  header.append((8 - header.size() % 8) % 8, ' ');
  CHECK_THAT(saved.load_error(with_checksum(frame(header, saved.data()))),
             Contains("has dtype a JSON array, but fnn reads only \"F32\""));

  CHECK(saved.load_error([&](Json& edited, std::string&) {
    edited["__metadata__"]["network"] =
        R"({"inputs": 2, "layers": [{"name": "dense", "options": {"units": )" + nested + "}}]}";
  }) == saved.malformed("in its network spec, layer 1 option 'units' is a JSON array, not a "
                        "string"));
}
