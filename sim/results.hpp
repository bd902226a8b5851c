// Results files: HDF5 written in ticks, readable after a crash.
//
// Tables are extendible, chunked 1-D datasets of a compound type (one field
// per column), so `pandas.DataFrame(h5py.File(f)["series/by_tier"][:])`
// loads one in a line. Every column carries `units` and `description`
// attributes. Appended rows are held in memory and written by the next
// flush(); metadata is held in the cache between flushes, so that a process
// killed at any moment leaves on disk the file as of the last flush. How often
// to flush is the caller's choice (sim/runner.hpp flushes on a clock).
//
// Crash safety, precisely: a writer killed at any moment, inside flush() too,
// leaves at its path a file that h5dump and h5py open, holding every row
// appended before its last completed flush(). A kill inside flush() can leave
// some tables one flush ahead of others, and attributes one flush behind the
// rows appended with them, never ahead: a tick counter set on "/" before each
// flush() counts ticks that every table holds. A file may be read while it is
// written (the writer takes no file lock); the reader sees it as a crash would
// leave it.
// Costs: the superblock is version 2 (HDF5 1.10 or later reads it). A plain
// (uncompressed) table's partly filled last chunk is rewritten in place at
// each flush, so it leaves nothing behind; a compressed table's changes size,
// and every flush leaves a superseded copy of it in the file (`h5repack`
// drops them): compress only tables appended in blocks of a chunk or more.
//
// Not thread safe (HDF5's serial build): use results from one thread.
// All raw HDF5 C calls of the project are confined to results.cpp; other
// files (the run files of sim/runner.cpp, the sweep file of
// sim/sweep/sweep_file.cpp) write and read through this header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <type_traits>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace tiersim::sim::results {

/// Numbers are stored little-endian. String is variable-length UTF-8 text
/// of any length; FixedString is exactly Column::length bytes, NUL-padded
/// (ASCII character set), for short codes and ids that pandas should see as
/// plain bytes.
enum class ColumnType { Int8, Int32, Int64, UInt32, Float64, String, FixedString };

struct Column {
    std::string name;
    ColumnType type;
    std::string units;        ///< "1" for dimensionless, "" for labels/ids
    std::string description;
    /// For coded columns (tier, size class...): labels[i] names code i. Stored
    /// as the attribute "<name>.labels".
    std::vector<std::string> labels = {};
    /// Bytes of a FixedString column (at least 1); ignored for other types.
    std::size_t length = 0;
};

/// Column-major data for an append: one vector per column, all the same length.
/// A numeric column of ColumnType t takes the alternative of index t (Int8:
/// int8_t...); String and FixedString columns take std::vector<std::string>.
using ColumnData = std::variant<std::vector<std::int8_t>, std::vector<std::int32_t>,
                                std::vector<std::int64_t>, std::vector<std::uint32_t>,
                                std::vector<double>, std::vector<std::string>>;

/// Element types of a plain array dataset (File::write_array, Reader::read_array):
/// what a model's state columns are made of. Stored little-endian.
enum class ArrayType { Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float64 };

/// The ArrayType of a C++ element: an arithmetic type, or an enum by its underlying type.
template <class T>
constexpr ArrayType array_type_of() noexcept {
    if constexpr (std::is_enum_v<T>) {
        return array_type_of<std::underlying_type_t<T>>();
    } else if constexpr (std::is_same_v<T, double>) {
        return ArrayType::Float64;
    } else {
        static_assert(std::is_integral_v<T> && sizeof(T) <= 8, "an array holds integers, enums or doubles");
        constexpr bool s = std::is_signed_v<T>;
        if constexpr (sizeof(T) == 1) return s ? ArrayType::Int8 : ArrayType::UInt8;
        else if constexpr (sizeof(T) == 2) return s ? ArrayType::Int16 : ArrayType::UInt16;
        else if constexpr (sizeof(T) == 4) return s ? ArrayType::Int32 : ArrayType::UInt32;
        else return s ? ArrayType::Int64 : ArrayType::UInt64;
    }
}

/// How a table's chunks are stored. Plain chunks are rewritten in place when
/// a flush finds the last one partly filled; compressed ones (shuffle +
/// deflate) move, leaving the old copy behind (see the top of this file).
/// Plain suits tables that grow a few rows a tick, compressed those written
/// in blocks of a chunk or more (snapshots of every firm).
enum class Storage { plain, compressed };

/// Chunk length of a plain table that grows by `rows_per_tick` rows a tick:
/// `ticks` ticks' worth, so that the unfilled part of its last chunk (the
/// slack a file holds per table) is under `ticks` ticks of rows, and a long
/// run's chunk index stays small.
constexpr std::uint64_t tick_chunk_rows(std::uint64_t rows_per_tick, std::uint64_t ticks = 12) {
    return (rows_per_tick == 0 ? 1 : rows_per_tick) * ticks;
}

class ResultsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class File;

/// An append-only table inside a results file.
class Table {
public:
    const std::vector<Column>& columns() const noexcept { return columns_; }
    std::uint64_t rows() const noexcept { return rows_; }
    /// Appends rows given column by column, in the order of columns(). They
    /// are held in memory (written on, unflushed, once they fill a few MiB)
    /// and reach the disk at the next File::flush().
    /// @throws ResultsError if a column's length or type is wrong, or a value
    ///         of a FixedString column is longer than its length (nothing is
    ///         appended then)
    void append(const std::vector<ColumnData>& columns);

    Table(const Table&) = delete;
    Table& operator=(const Table&) = delete;
    ~Table();

private:
    friend class File;
    struct Impl;
    Table(std::unique_ptr<Impl> impl, std::vector<Column> columns);
    std::unique_ptr<Impl> impl_;
    std::vector<Column> columns_;
    std::uint64_t rows_ = 0;
};

using AttributeValue = std::variant<std::string, std::int64_t, double, std::vector<std::string>,
                                    std::vector<std::int64_t>>;

/// A results file open for writing.
class File {
public:
    /// Creates (truncating) a results file. It is built as "<path>.creating"
    /// and renamed once valid, so `path` never holds a half-made file.
    /// @throws ResultsError if the file cannot be created
    static std::unique_ptr<File> create(const std::filesystem::path& path);

    /// Creates a table at `path` ("series/by_tier"); intermediate groups are
    /// created as needed. `chunk_rows` sets the chunk length: a plain
    /// table's last chunk is allocated whole, so a few ticks' rows (a file
    /// holds up to one chunk of slack per table); a compressed table's a
    /// block's worth or less (each flush leaves a superseded copy of its
    /// last, partly filled chunk behind).
    /// @throws ResultsError for no columns, duplicate names, a FixedString
    ///         column of length 0, zero chunk_rows, or an existing object at
    ///         `path`
    Table& create_table(const std::string& path, std::vector<Column> columns,
                        const std::string& description, std::uint64_t chunk_rows = 256,
                        Storage storage = Storage::plain);
    /// A variable-length UTF-8 string dataset (e.g. the resolved scenario).
    void write_text(const std::string& path, const std::string& text,
                    const std::string& description);
    /// A 1-D dataset of `count` elements of `type` at `data` (chunked and
    /// compressed, written once); intermediate groups are created as needed.
    /// For state that is saved whole, once (a model's snapshot), not appended.
    /// @throws ResultsError if an object exists at `path`
    void write_array(const std::string& path, ArrayType type, const void* data, std::size_t count,
                     const std::string& description);
    template <class T>
    void write_array(const std::string& path, std::span<const T> values, const std::string& description) {
        write_array(path, array_type_of<T>(), values.data(), values.size(), description);
    }
    /// Sets (or replaces) an attribute on a group or dataset ("/" for the root).
    /// Strings are variable-length UTF-8, integers int64, reals double.
    void set_attribute(const std::string& object_path, const std::string& name,
                       const AttributeValue& value);
    /// Creates an empty group at `path`; intermediate groups are created as
    /// needed. (Tables and texts create their groups themselves: this is for a
    /// group that must exist even when nothing is put in it.)
    /// @throws ResultsError if an object exists at `path`
    void create_group(const std::string& path);
    /// Makes `link_path` an HDF5 external link to the object `target_object`
    /// of the file `target_file`; intermediate groups are created as needed.
    /// The target need not exist (the link dangles until it does). A relative
    /// `target_file` is looked for by readers in the directory of this file
    /// first, so the two can move together.
    /// @throws ResultsError if an object exists at `link_path`
    void link_external(const std::string& link_path, const std::string& target_file,
                       const std::string& target_object = "/");
    /// Writes everything appended so far to disk, metadata included: the
    /// commit point for crashes. Its cost is about one write per table and
    /// per changed metadata block, whatever the rows appended since the last. Write errors (a full disk) surface here, or
    /// in the append that met them first; the destructor cannot report them.
    /// After a write error nothing more reaches the disk: the file stays as
    /// of the last completed flush (as after a kill), every later append or
    /// flush throws the same error, and closing the file (the destructor)
    /// drops what is left without failing.
    void flush();
    const std::filesystem::path& path() const noexcept { return path_; }

    File(const File&) = delete;
    File& operator=(const File&) = delete;
    ~File();

private:
    struct Impl;
    explicit File(std::unique_ptr<Impl> impl, std::filesystem::path path);
    std::unique_ptr<Impl> impl_;
    std::filesystem::path path_;
    std::vector<std::unique_ptr<Table>> tables_;
};

/// Whether `path` is a results file of tiersim: a readable HDF5 file whose
/// root has the attribute `tiersim_version` (run files and sweep files).
/// False for anything else: no file, a directory, text, a foreign or corrupt
/// HDF5 file. Reads only the signature, the superblock and the root header.
bool is_results_file(const std::filesystem::path& path);

/// Another process holds the lock on a results file (OutputLock).
class OutputBusy : public ResultsError {
public:
    using ResultsError::ResultsError;
};

/// An exclusive lock on writing the results file `path`: flock(2) on the
/// lock file "<path>.lock" beside it, created if need be and removed on
/// release. Held from before the checks on `path` until the writer is done,
/// so that two writers of one path cannot both pass the checks. A lock left
/// by a process that died is free again (the kernel drops flock locks with
/// the process); its file stays until the next writer removes it.
class OutputLock {
public:
    /// @throws OutputBusy when another process holds the lock (the message
    ///         names the file and, if known, that process)
    /// @throws ResultsError when the lock file cannot be created
    explicit OutputLock(const std::filesystem::path& path);
    ~OutputLock();
    OutputLock(const OutputLock&) = delete;
    OutputLock& operator=(const OutputLock&) = delete;

    /// The lock file: "<path>.lock".
    const std::filesystem::path& lock_path() const noexcept { return lock_path_; }

private:
    std::filesystem::path lock_path_;
    int descriptor_ = -1;
};

/// Reads results files (tests, `tiersim summarize`, comparisons).
class Reader {
public:
    explicit Reader(const std::filesystem::path& path);  ///< throws ResultsError
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    /// Whether a group or dataset exists at `path`.
    bool exists(const std::string& path) const;
    /// Whether the object at `object_path` has the attribute `name`.
    bool has_attribute(const std::string& object_path, const std::string& name) const;
    std::uint64_t table_rows(const std::string& table_path) const;
    std::vector<std::string> table_columns(const std::string& table_path) const;
    /// A column converted to double (any numeric column type).
    /// @throws ResultsError if the table or the column does not exist, or the
    ///         column is not numeric
    std::vector<double> column(const std::string& table_path, const std::string& name) const;
    /// An integer column, exactly (any integer column type; int64 values
    /// beyond 2^53 do not survive column()).
    /// @throws ResultsError if the table or the column does not exist, or the
    ///         column is not of an integer type
    std::vector<std::int64_t> int_column(const std::string& table_path,
                                         const std::string& name) const;
    /// A string column, variable- or fixed-length; fixed-length values lose
    /// their trailing NUL (and space) padding.
    /// @throws ResultsError if the table or the column does not exist, or the
    ///         column is not of a string type
    std::vector<std::string> string_column(const std::string& table_path,
                                           const std::string& name) const;
    std::string text(const std::string& dataset_path) const;
    std::string attribute_string(const std::string& object_path, const std::string& name) const;
    /// A string-array attribute such as "columns" or "<name>.labels".
    std::vector<std::string> attribute_strings(const std::string& object_path,
                                               const std::string& name) const;
    std::int64_t attribute_int(const std::string& object_path, const std::string& name) const;
    std::vector<std::int64_t> attribute_ints(const std::string& object_path,
                                             const std::string& name) const;
    double attribute_double(const std::string& object_path, const std::string& name) const;
    /// Elements of the 1-D array dataset at `path` (File::write_array).
    /// @throws ResultsError if there is none, or it is not a 1-D array of numbers
    std::size_t array_size(const std::string& path) const;
    /// Reads the array at `path` into `count` elements of `type` at `out`.
    /// @throws ResultsError unless the stored array is of exactly `type` and `count`
    void read_array(const std::string& path, ArrayType type, void* out, std::size_t count) const;
    template <class T>
    std::vector<T> read_array(const std::string& path) const {
        std::vector<T> values(array_size(path));
        read_array(path, array_type_of<T>(), values.data(), values.size());
        return values;
    }
    /// Names of the objects (groups, datasets) directly in `group`, sorted.
    /// @throws ResultsError if `group` is not a group
    std::vector<std::string> children(const std::string& group) const;
    /// Paths of all tables (compound datasets) under `group`, sorted.
    std::vector<std::string> tables(const std::string& group = "/") const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tiersim::sim::results
