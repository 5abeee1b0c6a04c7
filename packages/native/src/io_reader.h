// The reader MLX's .npy and .safetensors loaders read through. MLX's parsers trust their input, so
// mlxts checks a file's header in TypeScript first and hands MLX a header it wrote itself from what it
// checked (in the exact layout MLX's parser expects), followed by the file's own data section. MLX
// therefore never parses bytes that mlxts did not check, and the data it reads lazily at evaluation
// comes from the same open file, even if the path is replaced or renamed after loading.
#pragma once
#include <string>
#include <vector>

#include <mlx/io/load.h>

namespace mlxts::io {

class CheckedFileReader : public mlx::core::io::Reader {
 public:
  // `fd` is duplicated (the caller keeps its own); `header` is what MLX reads first, and reading past it
  // reads the file from `data_offset` on. `label` names the file in errors.
  CheckedFileReader(int fd, std::string label, std::vector<char> header, size_t data_offset);
  ~CheckedFileReader() override;

  bool is_open() const override { return fd_ >= 0; }
  bool good() const override { return is_open(); }
  size_t tell() override { return position_; }
  void seek(int64_t off, std::ios_base::seekdir way = std::ios_base::beg) override;
  // Sequential reads, as MLX's header parsers do them (only on the thread that loads).
  void read(char* data, size_t n) override;
  // Positional reads, as MLX's Load primitive does them at evaluation (from MLX's I/O threads).
  void read(char* data, size_t n, size_t offset) override;
  std::string label() const override { return "file " + label_; }

 private:
  int fd_;
  std::string label_;
  std::vector<char> header_;
  size_t data_offset_;
  size_t size_;  // the header plus the file's data section, as MLX sees it
  size_t position_ = 0;
};

}  // namespace mlxts::io
