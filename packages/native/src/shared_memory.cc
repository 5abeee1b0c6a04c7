// Tensors in POSIX shared memory, for handing them to another process. Each object starts with a header
// (a magic tag, the dtype, the shape and the producing process) and the elements follow it, so that a
// claim checks the object against its handle before reading or unlinking anything: a handle with the
// wrong dtype or shape, or the name of an object mlxts did not write, is refused and the object is left
// for its rightful claimant. Objects are named /mlxts-<pid>-<counter>-<random>.
#include "shared_memory.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "convert.h"
#include "dtype.h"
#include "errors.h"
#include "interop.h"
#include "tensor.h"

namespace mlxts {

namespace {

constexpr char kPrefix[] = "/mlxts-";
constexpr char kMagic[8] = {'M', 'L', 'X', 'T', 'S', 'H', 'M', '1'};
constexpr size_t kAlignment = 64;  // the elements start on a cache line

struct Header {
  char magic[8];
  uint64_t header_bytes;  // where the elements start: a multiple of kAlignment
  uint64_t byte_length;   // bytes of elements
  int64_t owner_pid;      // the process that wrote the object
  char dtype[16];         // its name, NUL-padded
  uint64_t ndim;          // followed by ndim int64 dimensions
};

// What an object's header says, once checked.
struct Contents {
  std::string name;
  size_t header_bytes;
  size_t byte_length;
  int64_t owner_pid;
  mx::Dtype dtype;
  mx::Shape shape;
};

std::string shm_error(const std::string& what, int error) { return what + ": " + std::strerror(error); }

std::string shape_text(const mx::Shape& shape) {
  std::string out;
  for (int d : shape) out += (out.empty() ? "" : ", ") + std::to_string(d);
  return "[" + out + "]";
}

std::string new_shm_name() {
  static std::atomic<uint64_t> counter{0};
  static thread_local std::mt19937_64 random(std::random_device{}());
  char name[64];
  std::snprintf(name, sizeof(name), "%s%d-%llu-%08llx", kPrefix, static_cast<int>(getpid()),
                static_cast<unsigned long long>(counter++), static_cast<unsigned long long>(random() & 0xffffffffULL));
  return name;
}

size_t header_size(size_t ndim) {
  size_t raw = sizeof(Header) + ndim * sizeof(int64_t);
  return (raw + kAlignment - 1) / kAlignment * kAlignment;
}

// An open shared-memory object, closed (and unmapped) on every path.
class Object {
 public:
  Object(const std::string& name, int fd) : name_(name), fd_(fd) {}
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  ~Object() {
    if (map_ != nullptr) munmap(map_, size_);
    close(fd_);
  }

  // Maps the whole object read-only; returns nullptr for an empty one.
  const uint8_t* map() {
    struct stat st {};
    if (fstat(fd_, &st) != 0) throw std::runtime_error(shm_error("fstat(" + name_ + ")", errno));
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0) return nullptr;
    void* map = mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_, 0);
    if (map == MAP_FAILED) throw std::runtime_error(shm_error("mmap(" + name_ + ")", errno));
    map_ = map;
    return static_cast<const uint8_t*>(map_);
  }
  size_t size() const { return size_; }

 private:
  std::string name_;
  int fd_;
  void* map_ = nullptr;
  size_t size_ = 0;
};

// Opens an existing object read-only; nullptr if there is none of that name.
std::unique_ptr<Object> open_object(const std::string& name) {
  int fd = shm_open(name.c_str(), O_RDONLY, 0);
  if (fd < 0) {
    if (errno == ENOENT) return nullptr;
    throw std::runtime_error(shm_error("shm_open(" + name + ")", errno));
  }
  return std::make_unique<Object>(name, fd);
}

// The checked header of a mapped object, or nullopt if mlxts did not write it (or it is damaged).
std::optional<Contents> read_header(const std::string& name, const uint8_t* bytes, size_t size) {
  Header header;
  if (bytes == nullptr || size < sizeof(Header)) return std::nullopt;
  std::memcpy(&header, bytes, sizeof(Header));
  if (std::memcmp(header.magic, kMagic, sizeof(kMagic)) != 0) return std::nullopt;
  if (header.ndim > (size - sizeof(Header)) / sizeof(int64_t)) return std::nullopt;
  if (header.header_bytes != header_size(header.ndim) || header.header_bytes > size) return std::nullopt;
  if (header.byte_length != size - header.header_bytes) return std::nullopt;
  std::string dtype_text(header.dtype, strnlen(header.dtype, sizeof(header.dtype)));
  auto dtype = dtype_from_name(dtype_text);
  if (!dtype) return std::nullopt;
  mx::Shape shape;
  long double count = 1;
  for (uint64_t i = 0; i < header.ndim; ++i) {
    int64_t d;
    std::memcpy(&d, bytes + sizeof(Header) + i * sizeof(int64_t), sizeof(d));
    if (d < 0 || d > INT32_MAX) return std::nullopt;
    shape.push_back(static_cast<int>(d));
    count *= d;
  }
  if (count * dtype->size() != static_cast<long double>(header.byte_length)) return std::nullopt;
  return Contents{name, header.header_bytes, header.byte_length, header.owner_pid, *dtype, shape};
}

bool process_alive(int64_t pid) { return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH); }

struct Handle {
  std::string name;
  size_t byte_length;
  mx::Shape shape;
  mx::Dtype dtype;
};

Handle read_handle(Napi::Value value) {
  if (!value.IsObject()) throw ArgumentTypeError("handle must be an object from tensor.toSharedMemory()");
  Napi::Object object = value.As<Napi::Object>();
  Napi::Value name = object.Get("name");
  if (!name.IsString() || name.As<Napi::String>().Utf8Value().rfind(kPrefix, 0) != 0) {
    throw ArgumentTypeError(std::string("handle.name must be a name from tensor.toSharedMemory(), starting with '") +
                            kPrefix + "'");
  }
  double bytes = conv::number(object.Get("byteLength"), "handle.byteLength");
  if (!(bytes >= 0) || bytes != static_cast<double>(static_cast<size_t>(bytes))) {
    throw ArgumentTypeError("handle.byteLength must be a non-negative integer");
  }
  return {name.As<Napi::String>().Utf8Value(), static_cast<size_t>(bytes), conv::shape(object.Get("shape"), "handle.shape"),
          conv::dtype(object.Get("dtype"), "handle.dtype")};
}

Napi::Object handle_to_js(Napi::Env env, const std::string& name, size_t byte_length, const mx::Shape& shape,
                          mx::Dtype dtype) {
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("name", name);
  handle.Set("byteLength", Napi::Number::New(env, static_cast<double>(byte_length)));
  Napi::Array dims = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i) dims.Set(i, Napi::Number::New(env, shape[i]));
  handle.Set("shape", dims);
  handle.Set("dtype", dtype_name(dtype));
  return handle;
}

// The object a handle names, checked against the handle: throws (leaving the object alone) unless it
// is an mlxts object holding exactly the dtype, shape and byte length the handle says.
Contents checked_object(const Handle& handle, Object& object, const uint8_t*& bytes) {
  bytes = object.map();
  auto contents = read_header(handle.name, bytes, object.size());
  if (!contents) throw std::invalid_argument("shared memory " + handle.name + " was not written by tensor.toSharedMemory()");
  if (contents->dtype != handle.dtype || contents->shape != handle.shape || contents->byte_length != handle.byte_length) {
    throw std::invalid_argument("the handle says " + std::string(dtype_name(handle.dtype)) + " " + shape_text(handle.shape) +
                                " (" + std::to_string(handle.byte_length) + " bytes) but shared memory " + handle.name +
                                " holds " + dtype_name(contents->dtype) + " " + shape_text(contents->shape) + " (" +
                                std::to_string(contents->byte_length) + " bytes)");
  }
  return *contents;
}

Napi::Value to_shared_memory(const Napi::CallbackInfo& info) {
  return guard(info, "toSharedMemory", [&]() -> Napi::Value {
    int permissions = conv::integer_or(info[1], "permissions", 0600);
    if (permissions < 0 || permissions > 0777) {
      throw ArgumentRangeError("permissions must be a file mode from 0 to 0o777 such as 0o600, got " + std::to_string(permissions));
    }
    auto out = evaluated_contiguous(info, "toSharedMemory");
    MlxLock lock(mlx_mutex());
    const mx::array& a = out->get();
    std::string name = new_shm_name();
    Header header{};
    std::memcpy(header.magic, kMagic, sizeof(kMagic));
    header.header_bytes = header_size(a.ndim());
    header.byte_length = a.nbytes();
    header.owner_pid = getpid();
    std::strncpy(header.dtype, dtype_name(a.dtype()), sizeof(header.dtype) - 1);
    header.ndim = a.ndim();
    size_t total = header.header_bytes + header.byte_length;

    int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, static_cast<mode_t>(permissions));
    if (fd < 0) throw std::runtime_error(shm_error("shm_open(" + name + ")", errno));
    bool ok = ftruncate(fd, static_cast<off_t>(total)) == 0;
    int error = errno;
    if (ok) {
      void* map = mmap(nullptr, total, PROT_WRITE, MAP_SHARED, fd, 0);
      ok = map != MAP_FAILED;
      error = errno;
      if (ok) {
        auto* bytes = static_cast<uint8_t*>(map);
        std::memcpy(bytes, &header, sizeof(header));
        for (size_t i = 0; i < a.ndim(); ++i) {
          int64_t d = a.shape(static_cast<int>(i));
          std::memcpy(bytes + sizeof(Header) + i * sizeof(int64_t), &d, sizeof(d));
        }
        if (header.byte_length > 0) std::memcpy(bytes + header.header_bytes, a.data<void>(), header.byte_length);
        munmap(map, total);
      }
    }
    close(fd);
    if (!ok) {
      shm_unlink(name.c_str());
      throw std::runtime_error(shm_error("writing shared memory " + name, error));
    }
    return handle_to_js(info.Env(), name, header.byte_length, a.shape(), a.dtype());
  });
}

Napi::Value from_shared_memory(const Napi::CallbackInfo& info) {
  return guard_locked(info, "fromSharedMemory", [&]() -> Napi::Value {
    conv::check_arity(info, 1);
    Handle handle = read_handle(info[0]);
    auto object = open_object(handle.name);
    if (!object) throw std::invalid_argument("no shared memory named " + handle.name + " (already claimed or unlinked?)");
    const uint8_t* bytes = nullptr;
    Contents contents = checked_object(handle, *object, bytes);
    mx::array out = from_raw_bytes(bytes == nullptr ? nullptr : bytes + contents.header_bytes, contents.byte_length,
                                   contents.shape, contents.dtype);
    object.reset();
    shm_unlink(handle.name.c_str());  // claimed: the name is gone, the data now lives in the tensor
    return Tensor::wrap(info.Env(), std::move(out));
  });
}

Napi::Value unlink_shared_memory(const Napi::CallbackInfo& info) {
  return guard(info, "unlinkSharedMemory", [&]() -> Napi::Value {
    conv::check_arity(info, 1);
    Handle handle = read_handle(info[0]);
    auto object = open_object(handle.name);
    if (!object) return Napi::Boolean::New(info.Env(), false);
    const uint8_t* bytes = nullptr;
    checked_object(handle, *object, bytes);
    if (shm_unlink(handle.name.c_str()) == 0) return Napi::Boolean::New(info.Env(), true);
    if (errno == ENOENT) return Napi::Boolean::New(info.Env(), false);
    throw std::runtime_error(shm_error("shm_unlink(" + handle.name + ")", errno));
  });
}

// Every mlxts object in /dev/shm (where Linux keeps POSIX shared memory; elsewhere there is no way to
// list them, and the list is empty).
std::vector<Contents> list_objects() {
  std::vector<Contents> out;
  DIR* dir = opendir("/dev/shm");
  if (dir == nullptr) return out;
  while (dirent* entry = readdir(dir)) {
    std::string name = std::string("/") + entry->d_name;
    if (name.rfind(kPrefix, 0) != 0) continue;
    try {
      auto object = open_object(name);
      if (!object) continue;
      const uint8_t* bytes = object->map();
      if (auto contents = read_header(name, bytes, object->size())) out.push_back(*contents);
    } catch (const std::exception&) {
      // Unreadable (another user's, or gone meanwhile): not listed.
    }
  }
  closedir(dir);
  return out;
}

Napi::Object listing_to_js(Napi::Env env, const Contents& contents) {
  Napi::Object out = handle_to_js(env, contents.name, contents.byte_length, contents.shape, contents.dtype);
  out.Set("ownerPid", Napi::Number::New(env, static_cast<double>(contents.owner_pid)));
  out.Set("ownerAlive", Napi::Boolean::New(env, process_alive(contents.owner_pid)));
  return out;
}

Napi::Value list_shared_memory(const Napi::CallbackInfo& info) {
  return guard(info, "listSharedMemory", [&]() -> Napi::Value {
    conv::check_arity(info, 0);
    std::vector<Contents> objects = list_objects();
    Napi::Array out = Napi::Array::New(info.Env(), objects.size());
    for (size_t i = 0; i < objects.size(); ++i) out.Set(i, listing_to_js(info.Env(), objects[i]));
    return out;
  });
}

Napi::Value remove_orphaned_shared_memory(const Napi::CallbackInfo& info) {
  return guard(info, "removeOrphanedSharedMemory", [&]() -> Napi::Value {
    conv::check_arity(info, 0);
    Napi::Array removed = Napi::Array::New(info.Env());
    for (const Contents& contents : list_objects()) {
      if (process_alive(contents.owner_pid) || shm_unlink(contents.name.c_str()) != 0) continue;
      removed.Set(removed.Length(), listing_to_js(info.Env(), contents));
    }
    return removed;
  });
}

}  // namespace

void register_shared_memory(Napi::Env env, Napi::Object exports) {
  exports.Set("toSharedMemory", Napi::Function::New<to_shared_memory>(env, "toSharedMemory"));
  exports.Set("fromSharedMemory", Napi::Function::New<from_shared_memory>(env, "fromSharedMemory"));
  exports.Set("unlinkSharedMemory", Napi::Function::New<unlink_shared_memory>(env, "unlinkSharedMemory"));
  exports.Set("listSharedMemory", Napi::Function::New<list_shared_memory>(env, "listSharedMemory"));
  exports.Set("removeOrphanedSharedMemory",
              Napi::Function::New<remove_orphaned_shared_memory>(env, "removeOrphanedSharedMemory"));
}

}  // namespace mlxts
