#include "io_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mlxts::io {

CheckedFileReader::CheckedFileReader(int fd, std::string label, std::vector<char> header, size_t data_offset)
    : fd_(::fcntl(fd, F_DUPFD_CLOEXEC, 0)), label_(std::move(label)), header_(std::move(header)), data_offset_(data_offset) {
  if (fd_ < 0) throw std::runtime_error(label_ + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    int error = errno;
    ::close(fd_);
    throw std::runtime_error(label_ + ": " + std::strerror(error));
  }
  size_t file_size = static_cast<size_t>(info.st_size);
  size_ = header_.size() + (file_size > data_offset_ ? file_size - data_offset_ : 0);
}

CheckedFileReader::~CheckedFileReader() {
  if (fd_ >= 0) ::close(fd_);
}

void CheckedFileReader::seek(int64_t off, std::ios_base::seekdir way) {
  int64_t base = way == std::ios_base::beg ? 0 : way == std::ios_base::end ? static_cast<int64_t>(size_) : static_cast<int64_t>(position_);
  int64_t target = base + off;
  if (target < 0) throw std::runtime_error(label() + ": seek before the start");
  position_ = static_cast<size_t>(target);
}

void CheckedFileReader::read(char* data, size_t n) {
  read(data, n, position_);
  position_ += n;
}

void CheckedFileReader::read(char* data, size_t n, size_t offset) {
  // The part inside the rewritten header.
  if (offset < header_.size()) {
    size_t take = std::min(n, header_.size() - offset);
    std::memcpy(data, header_.data() + offset, take);
    data += take;
    n -= take;
    offset += take;
  }
  // The rest from the file's data section.
  off_t position = static_cast<off_t>(data_offset_ + (offset - header_.size()));
  while (n > 0) {
    ssize_t got = ::pread(fd_, data, n, position);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      throw std::runtime_error(label() + (got == 0 ? " ended early: it is shorter than when it was loaded"
                                                   : std::string(": ") + std::strerror(errno)));
    }
    data += got;
    n -= static_cast<size_t>(got);
    position += got;
  }
}

}  // namespace mlxts::io
