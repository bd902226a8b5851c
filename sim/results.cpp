// The HDF5 layer of the results files. Every raw H5* call of the project is
// here, and every handle is owned by a Handle: nothing is closed by hand.
//
// Crash safety. A writer killed at any moment must leave at its path a file
// that h5dump and h5py open, holding every row appended before its last
// flush(). What stands in the way, and the answer to each:
//  1. libver "latest" writes superblock v3, which marks the file "open for
//     writing"; after a crash nothing opens it until h5clear runs. Every
//     object keeps its earliest format (the superblock is v2, for 3.).
//  2. The metadata cache writes a dirty entry (a B-tree node, an object
//     header with a new extent) whenever it evicts one. Evictions and cache
//     resizing are off, so metadata is written by H5Fflush only: the file
//     driver below then holds one flush's worth of writes at most, and each
//     entry is written once per flush. The cache keeps all metadata in memory:
//     for append-only tables, the object headers and one B-tree node per ~64
//     chunks.
//  3. A compressed chunk rewritten with more rows rarely keeps its size, so
//     HDF5 frees its old place and, by default, hands that place to the next
//     allocation while the flushed B-tree still points there. File space
//     strategy NONE never reuses freed space. The cost: superseded copies of
//     each compressed table's partly filled last chunk stay in the file
//     (HDF5's own SWMR mode keeps them for the same reason); h5repack drops
//     them. A plain (unfiltered) chunk keeps its size and its place: HDF5
//     rewrites it in place, the driver holds that write until the commit and
//     writes only the bytes that changed, the rows past the flushed extent
//     (readers ignore them until the extent says otherwise). Tables that
//     grow a few rows a flush are plain for that reason; Table::Impl holds
//     appended rows until the flush, so a flush is one write per table.
//  4. H5Fflush is not atomic: see "file driver".
//  5. A new file is not an HDF5 file until its first flush: see
//     create_committed_file.
// HDF5 here is Debian's serial build, not thread safe: one thread at a time.

#include "sim/results.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <type_traits>
#include <utility>

namespace tiersim::sim::results {
namespace {

// ------------------------------------------------------------------ errors

herr_t collect_error(unsigned, const H5E_error2_t* error, void* data) noexcept {
    try {
        if (error->desc != nullptr && *error->desc != '\0')
            static_cast<std::vector<std::string>*>(data)->emplace_back(error->desc);
    } catch (...) {
        return -1;
    }
    return 0;
}

/// The outermost and innermost messages of HDF5's error stack, which is then
/// cleared: the first says what the API call was doing, the last why it failed.
std::string hdf5_error_message() {
    std::vector<std::string> messages;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &messages);
    H5Eclear2(H5E_DEFAULT);
    if (messages.empty()) return "unknown HDF5 error";
    if (messages.size() == 1) return messages.front();
    return messages.front() + " (" + messages.back() + ")";
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw ResultsError(where + ": " + what);
}

[[noreturn]] void fail_hdf5(const std::string& where, const std::string& what) {
    fail(where, what + ": " + hdf5_error_message());
}

template <class Status>
Status check(Status status, const std::string& where, const char* what) {
    if (status < 0) fail_hdf5(where, what);
    return status;
}

/// Errors reach the caller as ResultsError; HDF5 printing its stack to stderr
/// as well would only duplicate them. Debian's HDF5 is built thread-safe,
/// where this setting is per thread (a sweep writes from worker threads).
void quiet_hdf5() {
    static thread_local const bool quiet = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
    (void)quiet;
}

// ------------------------------------------------------------------ handles

template <herr_t (*Close)(hid_t)>
class Handle {
public:
    Handle() = default;
    Handle(hid_t id, const std::string& where, const char* what) : id_(check(id, where, what)) {}
    Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    hid_t get() const noexcept { return id_; }

private:
    // A failed close cannot be reported from a destructor; flush() is where
    // write errors surface.
    void reset() noexcept {
        if (id_ >= 0) Close(id_);
        id_ = H5I_INVALID_HID;
    }
    hid_t id_ = H5I_INVALID_HID;
};

using FileHandle = Handle<H5Fclose>;
using ObjectHandle = Handle<H5Oclose>;  // a group or dataset opened by path
using DatasetHandle = Handle<H5Dclose>;
using TypeHandle = Handle<H5Tclose>;
using SpaceHandle = Handle<H5Sclose>;
using AttributeHandle = Handle<H5Aclose>;
using PropertiesHandle = Handle<H5Pclose>;

/// Frees the strings HDF5 allocated for a variable-length string read.
class VariableStrings {
public:
    VariableStrings(std::size_t count, hid_t memory_type, hid_t space)
        : pointers_(count, nullptr), memory_type_(memory_type), space_(space) {}
    VariableStrings(const VariableStrings&) = delete;
    VariableStrings& operator=(const VariableStrings&) = delete;
    ~VariableStrings() { H5Dvlen_reclaim(memory_type_, space_, H5P_DEFAULT, pointers_.data()); }

    char** data() noexcept { return pointers_.data(); }
    std::vector<std::string> strings() const {
        std::vector<std::string> out;
        for (const char* p : pointers_) out.emplace_back(p != nullptr ? p : "");
        return out;
    }

private:
    std::vector<char*> pointers_;
    hid_t memory_type_;
    hid_t space_;
};

// ------------------------------------------------------------------ types

// validated_length compares a column's ColumnType with the index of its data.
template <ColumnType type, class Value>
constexpr bool data_matches =
    std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(type), ColumnData>,
                   std::vector<Value>>;
static_assert(data_matches<ColumnType::Int8, std::int8_t> &&
              data_matches<ColumnType::Int32, std::int32_t> &&
              data_matches<ColumnType::Int64, std::int64_t> &&
              data_matches<ColumnType::UInt32, std::uint32_t> &&
              data_matches<ColumnType::Float64, double> &&
              data_matches<ColumnType::String, std::string>);

bool is_string(ColumnType type) {
    return type == ColumnType::String || type == ColumnType::FixedString;
}

/// The index in ColumnData of a column's data.
std::size_t data_index(ColumnType type) {
    return static_cast<std::size_t>(is_string(type) ? ColumnType::String : type);
}

struct ColumnTypes {
    hid_t memory;
    hid_t file;  // little-endian standard types, the same on every machine
    std::size_t size;
};

/// The HDF5 types of a numeric column.
ColumnTypes column_types(ColumnType type) {
    switch (type) {
        case ColumnType::Int8: return {H5T_NATIVE_INT8, H5T_STD_I8LE, 1};
        case ColumnType::Int32: return {H5T_NATIVE_INT32, H5T_STD_I32LE, 4};
        case ColumnType::Int64: return {H5T_NATIVE_INT64, H5T_STD_I64LE, 8};
        case ColumnType::UInt32: return {H5T_NATIVE_UINT32, H5T_STD_U32LE, 4};
        case ColumnType::Float64: return {H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 8};
        case ColumnType::String:
        case ColumnType::FixedString: break;
    }
    throw ResultsError("not a numeric column type");
}

/// Bytes of a column's field in a row: a pointer for variable-length
/// strings (HDF5 reads and writes them as char*).
std::size_t field_size(const Column& column) {
    switch (column.type) {
        case ColumnType::String: return sizeof(const char*);
        case ColumnType::FixedString: return column.length;
        default: return column_types(column.type).size;
    }
}

/// Byte offsets of the fields in a packed row, identical in memory and file
/// so that readers see no padding.
struct RowLayout {
    std::vector<std::size_t> offsets;
    std::size_t size = 0;
};

RowLayout row_layout(const std::vector<Column>& columns) {
    RowLayout layout;
    for (const Column& column : columns) {
        layout.offsets.push_back(layout.size);
        layout.size += field_size(column);
    }
    return layout;
}

TypeHandle string_type(H5T_cset_t cset, const std::string& where) {
    TypeHandle type(H5Tcopy(H5T_C_S1), where, "cannot create string type");
    check(H5Tset_size(type.get(), H5T_VARIABLE), where, "cannot make string type variable");
    check(H5Tset_cset(type.get(), cset), where, "cannot set string encoding");
    return type;
}

TypeHandle fixed_string_type(std::size_t length, const std::string& where) {
    TypeHandle type(H5Tcopy(H5T_C_S1), where, "cannot create string type");
    check(H5Tset_size(type.get(), length), where, "cannot size string type");
    check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), where, "cannot set string padding");
    return type;
}

/// The same in memory and in the file.
TypeHandle string_column_type(const Column& column, const std::string& where) {
    return column.type == ColumnType::String ? string_type(H5T_CSET_UTF8, where)
                                             : fixed_string_type(column.length, where);
}

TypeHandle compound_type(const std::vector<Column>& columns, const RowLayout& layout,
                         bool for_file, const std::string& where) {
    TypeHandle type(H5Tcreate(H5T_COMPOUND, layout.size), where, "cannot create row type");
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (is_string(columns[i].type)) {
            const TypeHandle member = string_column_type(columns[i], where);
            check(H5Tinsert(type.get(), columns[i].name.c_str(), layout.offsets[i], member.get()),
                  where, "cannot add a column to the row type");
            continue;
        }
        const ColumnTypes types = column_types(columns[i].type);
        check(H5Tinsert(type.get(), columns[i].name.c_str(), layout.offsets[i],
                        for_file ? types.file : types.memory),
              where, "cannot add a column to the row type");
    }
    return type;
}

// ------------------------------------------------------------------ spaces

SpaceHandle scalar_space(const std::string& where) {
    return SpaceHandle(H5Screate(H5S_SCALAR), where, "cannot create scalar dataspace");
}

SpaceHandle vector_space(std::size_t size, const std::string& where) {
    const std::array<hsize_t, 1> dims{size};
    return SpaceHandle(H5Screate_simple(1, dims.data(), nullptr), where,
                       "cannot create dataspace");
}

hssize_t element_count(hid_t space, const std::string& where) {
    return check(H5Sget_simple_extent_npoints(space), where, "cannot read dataspace size");
}

// ------------------------------------------------------------------ attributes

void write_attribute_data(hid_t object, const std::string& name, hid_t file_type,
                          hid_t memory_type, hid_t space, const void* data,
                          const std::string& where) {
    const std::string at = where + " attribute " + name;
    if (check(H5Aexists(object, name.c_str()), at, "cannot look up attribute") > 0) {
        // One of the same type and shape (a counter set before every flush) is
        // overwritten in place: deleting and re-creating it moves it in the
        // object header and leaves the old space behind at each flush.
        const AttributeHandle old(H5Aopen(object, name.c_str(), H5P_DEFAULT), at, "cannot open old attribute");
        const TypeHandle old_type(H5Aget_type(old.get()), at, "cannot read old attribute type");
        const SpaceHandle old_space(H5Aget_space(old.get()), at, "cannot read old attribute dataspace");
        const bool fixed_size = H5Tis_variable_str(file_type) == 0;
        if (fixed_size && check(H5Tequal(old_type.get(), file_type), at, "cannot compare types") > 0 &&
            check(H5Sextent_equal(old_space.get(), space), at, "cannot compare dataspaces") > 0) {
            if (element_count(space, at) > 0)
                check(H5Awrite(old.get(), memory_type, data), at, "cannot write attribute");
            return;
        }
    }
    if (check(H5Aexists(object, name.c_str()), at, "cannot look up attribute") > 0)
        check(H5Adelete(object, name.c_str()), at, "cannot delete old attribute");
    const AttributeHandle attribute(
        H5Acreate2(object, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), at,
        "cannot create attribute");
    if (element_count(space, at) > 0)
        check(H5Awrite(attribute.get(), memory_type, data), at, "cannot write attribute");
}

void write_attribute(hid_t object, const std::string& name, const std::string& value,
                     const std::string& where) {
    const TypeHandle type = string_type(H5T_CSET_UTF8, where);
    const char* pointer = value.c_str();
    write_attribute_data(object, name, type.get(), type.get(), scalar_space(where).get(),
                         &pointer, where);
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value,
                     const std::string& where) {
    write_attribute_data(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64,
                         scalar_space(where).get(), &value, where);
}

void write_attribute(hid_t object, const std::string& name, double value,
                     const std::string& where) {
    write_attribute_data(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                         scalar_space(where).get(), &value, where);
}

void write_attribute(hid_t object, const std::string& name,
                     const std::vector<std::string>& values, const std::string& where) {
    const TypeHandle type = string_type(H5T_CSET_UTF8, where);
    std::vector<const char*> pointers;
    for (const std::string& value : values) pointers.push_back(value.c_str());
    write_attribute_data(object, name, type.get(), type.get(),
                         vector_space(values.size(), where).get(), pointers.data(), where);
}

void write_attribute(hid_t object, const std::string& name,
                     const std::vector<std::int64_t>& values, const std::string& where) {
    write_attribute_data(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64,
                         vector_space(values.size(), where).get(), values.data(), where);
}

void write_any_attribute(hid_t object, const std::string& name, const AttributeValue& value,
                         const std::string& where) {
    std::visit([&](const auto& v) { write_attribute(object, name, v, where); }, value);
}

void write_column_attributes(hid_t dataset, const std::vector<Column>& columns,
                             const std::string& description, const std::string& where) {
    std::vector<std::string> names;
    for (const Column& column : columns) {
        names.push_back(column.name);
        write_attribute(dataset, column.name + ".units", column.units, where);
        write_attribute(dataset, column.name + ".description", column.description, where);
        if (!column.labels.empty())
            write_attribute(dataset, column.name + ".labels", column.labels, where);
    }
    write_attribute(dataset, "description", description, where);
    write_attribute(dataset, "columns", names, where);
}

// ------------------------------------------------------------------ reading strings

using ReadInto = std::function<herr_t(hid_t memory_type, void* buffer)>;

/// Reads variable- or fixed-length strings (h5py and other tools write both).
std::vector<std::string> read_strings(hid_t stored_type, hid_t space, const ReadInto& read,
                                      const std::string& where) {
    if (H5Tget_class(stored_type) != H5T_STRING) fail(where, "is not a string");
    const auto count = static_cast<std::size_t>(element_count(space, where));
    if (count == 0) return {};
    if (check(H5Tis_variable_str(stored_type), where, "cannot inspect string type") > 0) {
        const TypeHandle memory = string_type(H5Tget_cset(stored_type), where);
        VariableStrings strings(count, memory.get(), space);
        check(read(memory.get(), strings.data()), where, "cannot read strings");
        return strings.strings();
    }
    const TypeHandle memory(H5Tcopy(stored_type), where, "cannot copy string type");
    const std::size_t size = H5Tget_size(stored_type);
    std::string buffer(count * size, '\0');
    check(read(memory.get(), buffer.data()), where, "cannot read strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        std::string value = buffer.substr(i * size, size);
        value.erase(value.find_last_not_of(std::string("\0 ", 2)) + 1);
        out.push_back(std::move(value));
    }
    return out;
}

// ------------------------------------------------------------------ file driver
//
// H5Fflush is not atomic: it writes chunks, then metadata entries in address
// order, then the superblock with the new end of allocation (EOA). A kill in
// between leaves objects that point past the recorded EOA ("addr overflow"),
// or a dataset extent covering chunks its B-tree does not index yet. Killing
// a writer before each of its ~500 writes in turn, half of the kill points
// inside H5Fflush left a file that could not be read, or zeros in place of
// flushed rows. HDF5 1.10 has no atomic commit (SWMR orders its writes but
// needs libver latest, see 1.), so this driver orders them.
//
// The last commit (flush) wrote everything below its EOA, `committed_eoa`.
//  * Writes at or above `committed_eoa` go to disk at once: nothing committed
//    refers to that space. File space strategy NONE and never lowering the
//    EOA below `committed_eoa` make every allocation land there, so HDF5
//    never recycles space that the committed file still refers to.
//  * Writes below it change live objects in place. They are held in memory
//    (reads see them) until flush, then written in an order that keeps the
//    file valid after each single write: superblock (new EOA) first, then
//    objects that only gain content (same-size chunks, heaps), then B-tree
//    nodes from the root down (a split node stays reachable), then object
//    header chunks with a dataset's extent, which makes the appended rows
//    visible, then the other object header chunks (attributes).
// Each object is then at its last or its new state, so a kill inside a flush
// can leave one table a flush ahead of another, and attributes a flush behind
// the rows appended with them, never ahead. What remains unguarded: a kill
// that cuts short, between two pages, the kernel's copy of an in-place write
// (only the changed span is written, to make that rare), and an attribute
// replaced by a larger one that moves to another object header chunk
// (missing or doubled until the next flush).

struct PendingWrite {
    haddr_t address;
    H5FD_mem_t type;
    std::vector<unsigned char> bytes;

    haddr_t end() const { return address + bytes.size(); }
};

// Write errors (a full disk: ENOSPC, or EFBIG past RLIMIT_FSIZE) are kept
// here, not returned to HDF5. The first one is recorded and from then on
// nothing more is written: the file on disk stays as of the last completed
// commit (a failed commit ends like a kill inside one). HDF5 is told every
// write succeeded, and File and Table check `failure` after each call and
// throw it as a ResultsError. Why not let HDF5 see the error: HDF5 1.10 does
// not recover from a failed H5Fflush (its metadata cache is left "prepared
// for flush", and every later flush, the one inside H5Fclose included, then
// fails: "slist already enabled"); a failed H5Fclose or H5Dclose leaves its
// id registered with a half-freed file behind it, which HDF5's exit handler
// closes again: a segfault at exit, after the right message.
struct DriverState {
    int descriptor = -1;  // first: driver_get_handle hands out its address
    haddr_t eoa = 0;
    haddr_t eof = 0;
    haddr_t committed_eoa = 0;
    dev_t device = 0;
    ino_t inode = 0;
    std::vector<PendingWrite> pending;
    std::string failure;  // the first write error; empty while healthy
};
static_assert(std::is_standard_layout_v<DriverState>,
              "driver_get_handle's pointer to the descriptor must convert back to the state");

/// HDF5 sees the first member; the C++ state sits behind a pointer so that
/// this stays a standard-layout struct.
struct DriverFile {
    H5FD_t base;
    DriverState* state;
};

DriverState& state_of(const H5FD_t* file) {
    return *reinterpret_cast<const DriverFile*>(file)->state;
}

template <class Result>
Result driver_error(const char* function, const std::string& message, Result failure) noexcept {
    H5Epush2(H5E_DEFAULT, __FILE__, function, __LINE__, H5E_ERR_CLS, H5E_VFL, H5E_SYSERRSTR,
             "%s", message.c_str());
    return failure;
}

std::string errno_message(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

bool write_fully(int descriptor, const unsigned char* data, std::size_t size, haddr_t address) {
    while (size > 0) {
        const ssize_t written = ::pwrite(descriptor, data, size, static_cast<off_t>(address));
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        data += written;
        size -= static_cast<std::size_t>(written);
        address += static_cast<haddr_t>(written);
    }
    return true;
}

/// Reads what is on disk, zeros past its end, like the sec2 driver.
bool read_fully(int descriptor, unsigned char* data, std::size_t size, haddr_t address) {
    while (size > 0) {
        const ssize_t got = ::pread(descriptor, data, size, static_cast<off_t>(address));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return false;
        if (got == 0) {
            std::memset(data, 0, size);
            return true;
        }
        data += got;
        size -= static_cast<std::size_t>(got);
        address += static_cast<haddr_t>(got);
    }
    return true;
}

/// Whether the version 1 object header messages starting at `at` tile the
/// chunk exactly (so this is where they start) and one has type `wanted`.
bool has_header_message(const std::vector<unsigned char>& chunk, std::size_t at,
                        std::uint16_t wanted) {
    bool found = false;
    while (at + 8 <= chunk.size()) {
        const auto type = static_cast<std::uint16_t>(chunk[at] | chunk[at + 1] << 8);
        const auto size = static_cast<std::size_t>(chunk[at + 2] | chunk[at + 3] << 8);
        found = found || type == wanted;
        at += 8 + size;
    }
    return found && at == chunk.size();
}

/// Whether a held object header chunk holds a message of type `wanted`.
/// The first chunk of a header has a 16-byte prefix, a continuation chunk
/// none; a wrong guess only changes the order among object header writes.
bool holds_message(const std::vector<unsigned char>& chunk, std::uint16_t wanted) {
    return has_header_message(chunk, 0, wanted) || has_header_message(chunk, 16, wanted);
}

/// Object header chunks holding a dataset's dataspace, whose extent makes a
/// table's new rows visible, go first; the rest (attributes) after, so that
/// an attribute set before flush() (a progress counter on "/") never runs
/// ahead of the tables. Safe only because a table's layout message, in
/// another chunk maybe, no longer changes once the table exists (see
/// Table::Impl::create_chunk_index).
int header_rank(const std::vector<unsigned char>& chunk) {
    constexpr std::uint16_t dataspace_message = 0x0001;
    return holds_message(chunk, dataspace_message) ? 0 : 1;
}

/// Position of a held write in the commit order (see above); ties keep the
/// order HDF5 wrote them in.
std::pair<int, int> commit_rank(const PendingWrite& write) {
    switch (write.type) {
        case H5FD_MEM_SUPER: return {0, 0};
        case H5FD_MEM_DRAW: return {1, 0};
        case H5FD_MEM_LHEAP: return {2, 0};
        case H5FD_MEM_GHEAP: return {3, 0};  // HDF5 writes these as raw data, in fact
        case H5FD_MEM_BTREE: {
            // A v1 B-tree node starts "TREE", type, level; symbol table nodes
            // ("SNOD") hang below level 0.
            const bool tree =
                write.bytes.size() > 5 && std::memcmp(write.bytes.data(), "TREE", 4) == 0;
            return tree ? std::pair{4, -static_cast<int>(write.bytes[5])} : std::pair{5, 0};
        }
        case H5FD_MEM_OHDR: return {7, header_rank(write.bytes)};
        default: return {6, 0};
    }
}

/// Writes the part of a held write that differs from the disk, as one
/// write. The effect is that of the whole write; but a kill can cut a write
/// short only between pages, and a changed span (an extent, a B-tree entry)
/// usually fits in one.
bool write_changes(int descriptor, const PendingWrite& write) {
    std::vector<unsigned char> on_disk(write.bytes.size());
    if (!read_fully(descriptor, on_disk.data(), on_disk.size(), write.address)) return false;
    const auto first = std::mismatch(write.bytes.begin(), write.bytes.end(), on_disk.begin());
    if (first.first == write.bytes.end()) return true;
    const auto last = std::mismatch(write.bytes.rbegin(), write.bytes.rend(), on_disk.rbegin());
    const auto offset = static_cast<std::size_t>(first.first - write.bytes.begin());
    const auto size = static_cast<std::size_t>(last.first.base() - first.first);
    return write_fully(descriptor, write.bytes.data() + offset, size, write.address + offset);
}

bool commit(DriverState& state) {
    if (!state.failure.empty()) return false;
    if (state.eof < state.eoa) {
        if (::ftruncate(state.descriptor, static_cast<off_t>(state.eoa)) != 0) return false;
        state.eof = state.eoa;
    }
    std::stable_sort(state.pending.begin(), state.pending.end(),
                     [](const PendingWrite& a, const PendingWrite& b) {
                         return commit_rank(a) < commit_rank(b);
                     });
    for (const PendingWrite& write : state.pending)
        if (!write_changes(state.descriptor, write)) return false;
    state.pending.clear();
    state.committed_eoa = std::max(state.committed_eoa, state.eoa);
    return true;
}

/// A newer write replaces the held writes it covers and goes last, so held
/// writes that overlap stay in the order they were made.
void hold(DriverState& state, PendingWrite write) {
    std::erase_if(state.pending, [&](const PendingWrite& old) {
        return old.address >= write.address && old.end() <= write.end();
    });
    state.pending.push_back(std::move(write));
}

void overlay_held(const DriverState& state, haddr_t address, std::size_t size,
                  unsigned char* data) {
    for (const PendingWrite& write : state.pending) {
        const haddr_t begin = std::max(address, write.address);
        const haddr_t end = std::min(address + size, write.end());
        if (begin < end)
            std::memcpy(data + (begin - address), write.bytes.data() + (begin - write.address),
                        end - begin);
    }
}

/// Records a write error (see DriverState); nothing more is written.
herr_t write_failed(DriverState& state, const char* what) noexcept {
    const int error = errno;
    try {
        if (state.failure.empty()) state.failure = std::string(what) + ": " + std::strerror(error);
        state.pending.clear();
    } catch (...) {
        if (state.failure.empty()) state.failure = "write failed";
    }
    return 0;
}

H5FD_t* driver_open(const char* name, unsigned flags, hid_t, haddr_t) noexcept {
    int open_flags = (flags & H5F_ACC_RDWR) != 0 ? O_RDWR : O_RDONLY;
    if ((flags & H5F_ACC_TRUNC) != 0) open_flags |= O_TRUNC;
    if ((flags & H5F_ACC_CREAT) != 0) open_flags |= O_CREAT;
    if ((flags & H5F_ACC_EXCL) != 0) open_flags |= O_EXCL;
    try {
        auto state = std::make_unique<DriverState>();
        state->descriptor = ::open(name, open_flags | O_CLOEXEC, 0666);
        if (state->descriptor < 0) return driver_error("open", errno_message(name), nullptr);
        struct stat info {};
        if (::fstat(state->descriptor, &info) != 0) {
            ::close(state->descriptor);
            return driver_error("open", errno_message(name), nullptr);
        }
        state->eof = static_cast<haddr_t>(info.st_size);
        state->committed_eoa = state->eof;  // an existing file counts as committed
        state->device = info.st_dev;
        state->inode = info.st_ino;
        auto* file = new DriverFile{};
        file->state = state.release();
        return &file->base;
    } catch (...) {
        return driver_error("open", "out of memory", nullptr);
    }
}

/// Never fails: a failed close would leave HDF5 holding a freed file (see
/// DriverState). A commit that fails here leaves the file as of the last
/// flush, like a kill; only flush() can report errors.
herr_t driver_close(H5FD_t* file) noexcept {
    auto* driver_file = reinterpret_cast<DriverFile*>(file);
    std::unique_ptr<DriverState> state(driver_file->state);
    delete driver_file;
    if (state->failure.empty()) commit(*state);
    ::close(state->descriptor);
    return 0;
}

int driver_compare(const H5FD_t* a, const H5FD_t* b) noexcept {
    const DriverState& x = state_of(a);
    const DriverState& y = state_of(b);
    if (x.device != y.device) return x.device < y.device ? -1 : 1;
    if (x.inode != y.inode) return x.inode < y.inode ? -1 : 1;
    return 0;
}

herr_t driver_query(const H5FD_t*, unsigned long* flags) noexcept {
    // No metadata accumulator: it would merge writes and hide their types.
    if (flags != nullptr) *flags = 0;
    return 0;
}

haddr_t driver_get_eoa(const H5FD_t* file, H5FD_mem_t) noexcept { return state_of(file).eoa; }

herr_t driver_set_eoa(H5FD_t* file, H5FD_mem_t, haddr_t address) noexcept {
    DriverState& state = state_of(file);
    // Freeing the last block lowers the EOA; below the committed EOA that
    // would hand committed space out again.
    state.eoa = std::max(address, state.committed_eoa);
    return 0;
}

haddr_t driver_get_eof(const H5FD_t* file, H5FD_mem_t) noexcept { return state_of(file).eof; }

herr_t driver_get_handle(H5FD_t* file, hid_t, void** handle) noexcept {
    *handle = &state_of(file).descriptor;
    return 0;
}

herr_t driver_read(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t address, size_t size,
                   void* buffer) noexcept {
    const DriverState& state = state_of(file);
    auto* data = static_cast<unsigned char*>(buffer);
    if (!read_fully(state.descriptor, data, size, address))
        return driver_error("read", errno_message("pread"), -1);
    overlay_held(state, address, size, data);
    return 0;
}

herr_t driver_write(H5FD_t* file, H5FD_mem_t type, hid_t, haddr_t address, size_t size,
                    const void* buffer) noexcept {
    DriverState& state = state_of(file);
    if (!state.failure.empty()) return 0;  // dropped: see DriverState
    const auto* data = static_cast<const unsigned char*>(buffer);
    // A write over a held one is held too, to land after it.
    const bool over_held =
        std::any_of(state.pending.begin(), state.pending.end(), [&](const PendingWrite& held) {
            return held.address < address + size && address < held.end();
        });
    if (address >= state.committed_eoa && !over_held) {
        if (!write_fully(state.descriptor, data, size, address))
            return write_failed(state, "pwrite");
        state.eof = std::max(state.eof, address + size);
        return 0;
    }
    try {
        hold(state, PendingWrite{address, type, std::vector<unsigned char>(data, data + size)});
    } catch (...) {
        return driver_error("write", "out of memory", -1);
    }
    return 0;
}

herr_t driver_flush(H5FD_t* file, hid_t, hbool_t) noexcept {
    DriverState& state = state_of(file);
    if (!state.failure.empty()) return 0;
    return commit(state) ? 0 : write_failed(state, "write");
}

herr_t driver_truncate(H5FD_t* file, hid_t, hbool_t) noexcept {
    DriverState& state = state_of(file);
    if (!state.failure.empty()) return 0;
    if (state.eof == state.eoa) return 0;
    if (::ftruncate(state.descriptor, static_cast<off_t>(state.eoa)) != 0)
        return write_failed(state, "ftruncate");
    state.eof = state.eoa;
    return 0;
}

/// Registered once per process. No lock callback: readers may open a file
/// while it is written, and see a valid file for the reasons above.
hid_t ordered_driver() {
    static const H5FD_class_t driver_class = [] {
        H5FD_class_t c{};
        c.name = "tiersim_ordered";
        c.maxaddr = static_cast<haddr_t>(std::numeric_limits<off_t>::max());
        c.fc_degree = H5F_CLOSE_WEAK;
        c.open = driver_open;
        c.close = driver_close;
        c.cmp = driver_compare;
        c.query = driver_query;
        c.get_eoa = driver_get_eoa;
        c.set_eoa = driver_set_eoa;
        c.get_eof = driver_get_eof;
        c.get_handle = driver_get_handle;
        c.read = driver_read;
        c.write = driver_write;
        c.flush = driver_flush;
        c.truncate = driver_truncate;
        const H5FD_mem_t map[] = H5FD_FLMAP_DICHOTOMY;
        std::copy(std::begin(map), std::end(map), std::begin(c.fl_map));
        return c;
    }();
    static const hid_t id = H5FDregister(&driver_class);
    return id;
}

/// The driver's state of a file opened with ordered_driver().
const DriverState& driver_state(hid_t file, const std::string& where) {
    void* handle = nullptr;
    check(H5Fget_vfd_handle(file, H5P_DEFAULT, &handle), where, "cannot reach the file driver");
    return *reinterpret_cast<const DriverState*>(static_cast<int*>(handle));
}

/// Throws the driver's write error, if it met one (see DriverState).
void throw_write_failure(const DriverState& state, const std::string& where) {
    if (!state.failure.empty())
        fail(where, "cannot write: " + state.failure + " (the file stays as of its last flush)");
}

// ------------------------------------------------------------------ property lists

/// Point 2 at the top of this file.
void disable_metadata_evictions(hid_t fapl, const std::string& where) {
    H5AC_cache_config_t config{};
    config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    check(H5Pget_mdc_config(fapl, &config), where, "cannot read metadata cache config");
    config.evictions_enabled = false;
    config.incr_mode = H5C_incr__off;
    config.flash_incr_mode = H5C_flash_incr__off;
    config.decr_mode = H5C_decr__off;
    check(H5Pset_mdc_config(fapl, &config), where, "cannot set metadata cache config");
}

/// Points 1, 2 and 4 at the top of this file.
PropertiesHandle file_access_properties(const std::string& where) {
    PropertiesHandle fapl(H5Pcreate(H5P_FILE_ACCESS), where, "cannot create access properties");
    check(H5Pset_driver(fapl.get(), check(ordered_driver(), where, "cannot register file driver"),
                        nullptr),
          where, "cannot select file driver");
    check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V110), where,
          "cannot set format version bounds");
    disable_metadata_evictions(fapl.get(), where);
    return fapl;
}

/// Point 3 at the top of this file.
PropertiesHandle file_creation_properties(const std::string& where) {
    PropertiesHandle fcpl(H5Pcreate(H5P_FILE_CREATE), where, "cannot create file properties");
    check(H5Pset_file_space_strategy(fcpl.get(), H5F_FSPACE_STRATEGY_NONE, false, 1), where,
          "cannot set file space strategy");
    // A chunk index node holds up to 2K chunks and is allocated whole: at
    // HDF5's K of 32, 2 KiB for each saved state array (one chunk each), a
    // quarter of a small run's file. K = 8 (560 bytes) still indexes a long
    // run's thousands of chunks in a few levels.
    check(H5Pset_istore_k(fcpl.get(), 8), where, "cannot set chunk index node size");
    return fcpl;
}

PropertiesHandle link_creation_properties(const std::string& where) {
    PropertiesHandle lcpl(H5Pcreate(H5P_LINK_CREATE), where, "cannot create link properties");
    check(H5Pset_create_intermediate_group(lcpl.get(), 1), where,
          "cannot enable intermediate groups");
    check(H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8), where, "cannot set name encoding");
    return lcpl;
}

bool filter_can_encode(H5Z_filter_t filter) {
    unsigned int config = 0;
    return H5Zfilter_avail(filter) > 0 && H5Zget_filter_info(filter, &config) >= 0 &&
           (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0;
}

PropertiesHandle table_creation_properties(std::uint64_t chunk_rows, Storage storage, const std::string& where) {
    PropertiesHandle dcpl(H5Pcreate(H5P_DATASET_CREATE), where,
                          "cannot create dataset properties");
    const std::array<hsize_t, 1> chunk{chunk_rows};
    check(H5Pset_chunk(dcpl.get(), 1, chunk.data()), where, "cannot set chunk size");
    // Without modification times, identical runs give identical files.
    check(H5Pset_obj_track_times(dcpl.get(), false), where, "cannot disable time tracking");
    // Compression is an optimisation: a build of HDF5 without zlib still
    // writes valid, uncompressed tables.
    if (storage == Storage::compressed && filter_can_encode(H5Z_FILTER_SHUFFLE) &&
        filter_can_encode(H5Z_FILTER_DEFLATE)) {
        check(H5Pset_shuffle(dcpl.get()), where, "cannot enable shuffle");
        check(H5Pset_deflate(dcpl.get(), 4), where, "cannot enable deflate");
    }
    return dcpl;
}

/// Room for the chunks a tick's appends dirty, so that partly filled chunks
/// are written once, at flush, rather than on every eviction (harmless, as
/// they go to fresh space, but each write leaves a superseded copy behind).
PropertiesHandle table_access_properties(std::size_t chunk_bytes, const std::string& where) {
    PropertiesHandle dapl(H5Pcreate(H5P_DATASET_ACCESS), where,
                          "cannot create dataset access properties");
    const std::size_t bytes = std::max<std::size_t>(std::size_t{1} << 20, 8 * chunk_bytes);
    check(H5Pset_chunk_cache(dapl.get(), 521, bytes, 1.0), where, "cannot set chunk cache");
    return dapl;
}

// ------------------------------------------------------------------ validation

void validate_columns(const std::vector<Column>& columns, const std::string& where) {
    if (columns.empty()) fail(where, "a table needs at least one column");
    std::set<std::string> names;
    for (const Column& column : columns) {
        if (column.name.empty()) fail(where, "a column has an empty name");
        if (!names.insert(column.name).second) fail(where, "duplicate column " + column.name);
        if (column.type == ColumnType::FixedString && column.length == 0)
            fail(where, "fixed-length string column " + column.name + " has length 0");
    }
}

std::size_t validated_length(const std::vector<Column>& columns,
                             const std::vector<ColumnData>& data, const std::string& where) {
    if (data.size() != columns.size())
        fail(where, "append got " + std::to_string(data.size()) + " columns, the table has " +
                        std::to_string(columns.size()));
    const std::size_t length = std::visit([](const auto& v) { return v.size(); }, data.front());
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (data[i].index() != data_index(columns[i].type))
            fail(where, "column " + columns[i].name + " got data of the wrong type");
        const std::size_t n = std::visit([](const auto& v) { return v.size(); }, data[i]);
        if (n != length)
            fail(where, "column " + columns[i].name + " has " + std::to_string(n) +
                            " rows, the first column " + std::to_string(length));
        if (columns[i].type != ColumnType::FixedString) continue;
        for (const std::string& value : std::get<std::vector<std::string>>(data[i]))
            if (value.size() > columns[i].length)
                fail(where, "column " + columns[i].name + ": '" + value + "' is longer than " +
                                std::to_string(columns[i].length) + " bytes");
    }
    return length;
}

/// Interleaves column-major data into packed compound rows at the end of
/// `buffer`. Fields of variable-length strings point into copies kept in
/// `strings`, which must outlive the write (a deque: its elements stay put).
void pack_rows(const std::vector<Column>& columns, const std::vector<ColumnData>& data,
               const RowLayout& layout, std::size_t rows, std::vector<unsigned char>& buffer,
               std::deque<std::string>& strings) {
    const std::size_t first = buffer.size();
    buffer.resize(first + rows * layout.size);  // zeros: the NUL padding
    unsigned char* const out = buffer.data() + first;
    for (std::size_t c = 0; c < data.size(); ++c) {
        std::visit(
            [&](const auto& values) {
                using Value = typename std::decay_t<decltype(values)>::value_type;
                for (std::size_t r = 0; r < rows; ++r) {
                    unsigned char* field = out + r * layout.size + layout.offsets[c];
                    if constexpr (std::is_same_v<Value, std::string>) {
                        if (columns[c].type == ColumnType::FixedString) {
                            std::memcpy(field, values[r].data(), values[r].size());
                        } else {
                            const char* text = strings.emplace_back(values[r]).c_str();
                            std::memcpy(field, &text, sizeof text);
                        }
                    } else {
                        std::memcpy(field, &values[r], sizeof(Value));
                    }
                }
            },
            data[c]);
    }
}

std::string join_path(const std::string& group, const std::string& name) {
    if (group.empty() || group.back() != '/') return group + "/" + name;
    return group + name;
}

}  // namespace

// ====================================================================== Table

struct Table::Impl {
    const DriverState* driver = nullptr;  // of the file: write errors (see DriverState)
    DatasetHandle dataset;
    TypeHandle memory_type;
    RowLayout layout;
    std::string where;
    // Rows appended and not yet handed to HDF5: one dataset write per flush
    // rather than per append keeps small ticks cheap (see "file driver").
    std::vector<unsigned char> pending;
    std::size_t pending_rows = 0;
    std::deque<std::string> pending_strings;  // what pending's string fields point to
    std::uint64_t written_rows = 0;           // rows handed to HDF5

    /// Beyond this, appended rows are handed to HDF5 at once (still unflushed:
    /// they reach the disk at the next flush, like the rest): a snapshot of a
    /// million firms is not held twice.
    static constexpr std::size_t pending_limit = std::size_t{4} << 20;

    void set_rows(std::uint64_t rows) const {
        const std::array<hsize_t, 1> dims{rows};
        check(H5Dset_extent(dataset.get(), dims.data()), where, "cannot extend table");
    }

    /// HDF5 creates a table's chunk index (B-tree) at its first write and
    /// records its address in the layout message. Doing that now, by writing
    /// a row and dropping it, leaves the extent as the only header change at
    /// later flushes, so the commit order (see "file driver") need not know
    /// which header chunk holds the layout.
    void create_chunk_index(const std::vector<Column>& columns) const {
        // Zeros, but a variable-length string field points to "" (not NULL).
        static const char* const empty = "";
        std::vector<unsigned char> row(layout.size);
        for (std::size_t i = 0; i < columns.size(); ++i)
            if (columns[i].type == ColumnType::String)
                std::memcpy(&row[layout.offsets[i]], &empty, sizeof empty);
        set_rows(1);
        write_rows(0, 1, row);
        set_rows(0);
    }

    void write_rows(std::uint64_t first, std::size_t count,
                    const std::vector<unsigned char>& buffer) const {
        const SpaceHandle file_space(H5Dget_space(dataset.get()), where,
                                     "cannot get table dataspace");
        const std::array<hsize_t, 1> start{first};
        const std::array<hsize_t, 1> size{count};
        check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                  size.data(), nullptr),
              where, "cannot select rows");
        const SpaceHandle memory_space = vector_space(count, where);
        check(H5Dwrite(dataset.get(), memory_type.get(), memory_space.get(), file_space.get(),
                       H5P_DEFAULT, buffer.data()),
              where, "cannot write rows");
    }

    /// Hands the pending rows to HDF5 (the disk sees them at H5Fflush).
    void write_pending() {
        throw_write_failure(*driver, where);
        if (pending_rows == 0) return;
        set_rows(written_rows + pending_rows);
        try {
            write_rows(written_rows, pending_rows, pending);
        } catch (const ResultsError&) {
            // Keep the extent at the rows written, so a later write leaves no hole.
            try {
                set_rows(written_rows);
            } catch (const ResultsError&) {
            }
            throw_write_failure(*driver, where);  // the cause, if it was one
            throw;
        }
        written_rows += pending_rows;
        pending.clear();
        if (pending.capacity() > 2 * pending_limit) pending.shrink_to_fit();  // after a snapshot
        pending_rows = 0;
        pending_strings.clear();
        throw_write_failure(*driver, where);
    }
};

Table::Table(std::unique_ptr<Impl> impl, std::vector<Column> columns)
    : impl_(std::move(impl)), columns_(std::move(columns)) {}

Table::~Table() = default;

void Table::append(const std::vector<ColumnData>& columns) {
    quiet_hdf5();  // this thread may not have created the file
    throw_write_failure(*impl_->driver, impl_->where);
    const std::size_t count = validated_length(columns_, columns, impl_->where);
    if (count == 0) return;
    pack_rows(columns_, columns, impl_->layout, count, impl_->pending, impl_->pending_strings);
    impl_->pending_rows += count;
    rows_ += count;
    if (impl_->pending.size() >= Impl::pending_limit) impl_->write_pending();
}

// ====================================================================== File

struct File::Impl {
    FileHandle file;
    const DriverState* driver = nullptr;  // write errors (see DriverState)
    std::string file_name;  // for error messages

    /// Throws the write error the file met, if any (see DriverState).
    void check_written(const std::string& at) const { throw_write_failure(*driver, at); }

    std::string where(const std::string& object_path) const {
        return file_name + ":" + object_path;
    }
};

File::File(std::unique_ptr<Impl> impl, std::filesystem::path path)
    : impl_(std::move(impl)), path_(std::move(path)) {}

File::~File() {
    // Closing writes what HDF5 still holds, and the rows appended since the
    // last flush; after a write error (a full disk) the driver drops it, so
    // closing cannot fail (see DriverState).
    quiet_hdf5();
    for (const auto& table : tables_) {
        try {
            table->impl_->write_pending();
        } catch (const ResultsError&) {
        }
    }
    // Tables hold datasets of this file: close them before the file.
    tables_.clear();
}

namespace {

FileHandle create_empty_file(const std::filesystem::path& path, const std::string& where) {
    const PropertiesHandle fcpl = file_creation_properties(where);
    const PropertiesHandle fapl = file_access_properties(where);
    FileHandle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), where,
                    "cannot create results file");
    check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), where, "cannot flush");
    throw_write_failure(driver_state(file.get(), where), where);
    return file;
}

/// Until its first flush, a new file is not an HDF5 file at all. Building it
/// under another name and renaming it (atomic in one directory) means `path`
/// never holds that state.
FileHandle create_committed_file(const std::filesystem::path& path) {
    const std::string where = path.string();
    std::filesystem::path creating = path;
    creating += ".creating";
    std::error_code ignored;
    try {
        FileHandle file = create_empty_file(creating, where);
        std::error_code error;
        std::filesystem::rename(creating, path, error);
        if (error) fail(where, "cannot rename " + creating.string() + ": " + error.message());
        return file;
    } catch (const ResultsError&) {
        std::filesystem::remove(creating, ignored);
        throw;
    }
}

}  // namespace

std::unique_ptr<File> File::create(const std::filesystem::path& path) {
    quiet_hdf5();
    auto impl = std::make_unique<Impl>();
    impl->file = create_committed_file(path);
    impl->file_name = path.string();
    impl->driver = &driver_state(impl->file.get(), impl->file_name);
    return std::unique_ptr<File>(new File(std::move(impl), path));
}

Table& File::create_table(const std::string& path, std::vector<Column> columns,
                          const std::string& description, std::uint64_t chunk_rows, Storage storage) {
    const std::string where = impl_->where(path);
    impl_->check_written(where);
    validate_columns(columns, where);
    if (chunk_rows == 0) fail(where, "chunk_rows must be positive");
    auto table = std::make_unique<Table::Impl>();
    table->driver = impl_->driver;
    table->where = where;
    table->layout = row_layout(columns);
    table->memory_type = compound_type(columns, table->layout, false, where);
    const TypeHandle file_type = compound_type(columns, table->layout, true, where);
    const std::array<hsize_t, 1> dims{0};
    const std::array<hsize_t, 1> max_dims{H5S_UNLIMITED};
    const SpaceHandle space(H5Screate_simple(1, dims.data(), max_dims.data()), where,
                            "cannot create table dataspace");
    table->dataset = DatasetHandle(
        H5Dcreate2(impl_->file.get(), path.c_str(), file_type.get(), space.get(),
                   link_creation_properties(where).get(),
                   table_creation_properties(chunk_rows, storage, where).get(),
                   table_access_properties(chunk_rows * table->layout.size, where).get()),
        where, "cannot create table");
    write_column_attributes(table->dataset.get(), columns, description, where);
    table->create_chunk_index(columns);
    impl_->check_written(where);
    tables_.push_back(std::unique_ptr<Table>(new Table(std::move(table), std::move(columns))));
    return *tables_.back();
}

void File::write_text(const std::string& path, const std::string& text,
                      const std::string& description) {
    const std::string where = impl_->where(path);
    const TypeHandle type = string_type(H5T_CSET_UTF8, where);
    const DatasetHandle dataset(H5Dcreate2(impl_->file.get(), path.c_str(), type.get(),
                                           scalar_space(where).get(),
                                           link_creation_properties(where).get(), H5P_DEFAULT,
                                           H5P_DEFAULT),
                                where, "cannot create text dataset");
    const char* pointer = text.c_str();
    check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &pointer), where,
          "cannot write text");
    write_attribute(dataset.get(), "description", description, where);
    impl_->check_written(where);
}

namespace {

/// The HDF5 types of an ArrayType: in memory (native) and on disk (little-endian).
std::pair<hid_t, hid_t> array_types(ArrayType type) {
    switch (type) {
        case ArrayType::Int8: return {H5T_NATIVE_INT8, H5T_STD_I8LE};
        case ArrayType::UInt8: return {H5T_NATIVE_UINT8, H5T_STD_U8LE};
        case ArrayType::Int16: return {H5T_NATIVE_INT16, H5T_STD_I16LE};
        case ArrayType::UInt16: return {H5T_NATIVE_UINT16, H5T_STD_U16LE};
        case ArrayType::Int32: return {H5T_NATIVE_INT32, H5T_STD_I32LE};
        case ArrayType::UInt32: return {H5T_NATIVE_UINT32, H5T_STD_U32LE};
        case ArrayType::Int64: return {H5T_NATIVE_INT64, H5T_STD_I64LE};
        case ArrayType::UInt64: return {H5T_NATIVE_UINT64, H5T_STD_U64LE};
        case ArrayType::Float64: return {H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE};
    }
    return {H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE};
}

/// An array is chunked (so it can be compressed) in pieces of at most 64 Ki elements.
constexpr std::size_t array_chunk = 65536;

}  // namespace

void File::write_array(const std::string& path, ArrayType type, const void* data, std::size_t count,
                       const std::string& description) {
    const std::string where = impl_->where(path);
    const auto [memory, stored] = array_types(type);
    const DatasetHandle dataset(
        H5Dcreate2(impl_->file.get(), path.c_str(), stored, vector_space(count, where).get(),
                   link_creation_properties(where).get(),
                   table_creation_properties(std::clamp<std::size_t>(count, 1, array_chunk), Storage::compressed,
                                             where).get(),
                   H5P_DEFAULT),
        where, "cannot create array");
    if (count > 0)
        check(H5Dwrite(dataset.get(), memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), where, "cannot write array");
    write_attribute(dataset.get(), "description", description, where);
    impl_->check_written(where);
}

void File::set_attribute(const std::string& object_path, const std::string& name,
                         const AttributeValue& value) {
    const std::string where = impl_->where(object_path);
    impl_->check_written(where);
    const ObjectHandle object(H5Oopen(impl_->file.get(), object_path.c_str(), H5P_DEFAULT),
                              where, "cannot open object");
    write_any_attribute(object.get(), name, value, where);
    impl_->check_written(where);
}

void File::create_group(const std::string& path) {
    const std::string where = impl_->where(path);
    PropertiesHandle gcpl(H5Pcreate(H5P_GROUP_CREATE), where, "cannot create group properties");
    // Without modification times, identical writes give identical files.
    check(H5Pset_obj_track_times(gcpl.get(), false), where, "cannot disable time tracking");
    const ObjectHandle group(H5Gcreate2(impl_->file.get(), path.c_str(),
                                        link_creation_properties(where).get(), gcpl.get(),
                                        H5P_DEFAULT),
                             where, "cannot create group");
}

void File::link_external(const std::string& link_path, const std::string& target_file,
                         const std::string& target_object) {
    const std::string where = impl_->where(link_path);
    check(H5Lcreate_external(target_file.c_str(), target_object.c_str(), impl_->file.get(),
                             link_path.c_str(), link_creation_properties(where).get(),
                             H5P_DEFAULT),
          where, "cannot create external link");
}

void File::flush() {
    // Writes the dirty chunks, then all dirty metadata, then the superblock
    // with the new end of file: the only moment metadata reaches the disk.
    quiet_hdf5();
    impl_->check_written(impl_->file_name);
    for (const auto& table : tables_) table->impl_->write_pending();
    check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), impl_->file_name, "cannot flush");
    impl_->check_written(impl_->file_name);
}

// ====================================================================== Reader

struct Reader::Impl {
    FileHandle file;
    std::string file_name;

    std::string where(const std::string& object_path) const {
        return file_name + ":" + object_path;
    }

    bool is_group(const std::string& path) const {
        H5O_info_t info{};
        check(H5Oget_info_by_name2(file.get(), path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT),
              where(path), "cannot inspect object");
        return info.type == H5O_TYPE_GROUP;
    }

    DatasetHandle open_dataset(const std::string& path) const {
        return DatasetHandle(H5Dopen2(file.get(), path.c_str(), H5P_DEFAULT), where(path),
                             "cannot open dataset");
    }

    /// Opens a table and checks that it is one: 1-D with a compound type.
    DatasetHandle open_table(const std::string& path, TypeHandle& type) const {
        DatasetHandle dataset = open_dataset(path);
        type = TypeHandle(H5Dget_type(dataset.get()), where(path), "cannot read table type");
        const SpaceHandle space(H5Dget_space(dataset.get()), where(path),
                                "cannot read table dataspace");
        if (H5Tget_class(type.get()) != H5T_COMPOUND ||
            H5Sget_simple_extent_ndims(space.get()) != 1)
            fail(where(path), "is not a table");
        return dataset;
    }

    /// An attribute with the object that holds it, opened first: behind an
    /// external link, H5Aopen_by_name would look for the attribute's
    /// variable-length strings in this file rather than the linked one.
    struct OpenAttribute {
        ObjectHandle object;
        AttributeHandle attribute;
        hid_t get() const noexcept { return attribute.get(); }
    };

    OpenAttribute open_attribute(const std::string& object_path, const std::string& name) const {
        const std::string at = where(object_path) + " attribute " + name;
        OpenAttribute open;
        open.object = ObjectHandle(H5Oopen(file.get(), object_path.c_str(), H5P_DEFAULT), at,
                                   "cannot open object");
        open.attribute = AttributeHandle(H5Aopen(open.object.get(), name.c_str(), H5P_DEFAULT),
                                         at, "cannot open attribute");
        return open;
    }

    std::vector<std::string> attribute_strings(const std::string& object_path,
                                               const std::string& name) const {
        const std::string at = where(object_path) + " attribute " + name;
        const OpenAttribute attribute = open_attribute(object_path, name);
        const TypeHandle type(H5Aget_type(attribute.get()), at, "cannot read attribute type");
        const SpaceHandle space(H5Aget_space(attribute.get()), at,
                                "cannot read attribute dataspace");
        return read_strings(
            type.get(), space.get(),
            [&](hid_t memory, void* buffer) { return H5Aread(attribute.get(), memory, buffer); },
            at);
    }

    /// Reads a numeric attribute of `count` elements converted to `memory_type`.
    template <class Value>
    std::vector<Value> attribute_numbers(const std::string& object_path, const std::string& name,
                                         hid_t memory_type, bool integers_only) const {
        const std::string at = where(object_path) + " attribute " + name;
        const OpenAttribute attribute = open_attribute(object_path, name);
        const TypeHandle type(H5Aget_type(attribute.get()), at, "cannot read attribute type");
        const H5T_class_t type_class = H5Tget_class(type.get());
        if (type_class != H5T_INTEGER && (integers_only || type_class != H5T_FLOAT))
            fail(at, integers_only ? "is not an integer" : "is not a number");
        const SpaceHandle space(H5Aget_space(attribute.get()), at,
                                "cannot read attribute dataspace");
        std::vector<Value> values(static_cast<std::size_t>(element_count(space.get(), at)));
        if (!values.empty())
            check(H5Aread(attribute.get(), memory_type, values.data()), at,
                  "cannot read attribute");
        return values;
    }

    /// The index of column `name` in a table's compound type.
    unsigned member_index(hid_t type, const std::string& name, const std::string& at) const {
        const int index = H5Tget_member_index(type, name.c_str());
        if (index < 0) {
            H5Eclear2(H5E_DEFAULT);
            fail(at, "no such column");
        }
        return static_cast<unsigned>(index);
    }

    /// Reads one numeric column of a table converted to `memory_type`.
    template <class Value>
    std::vector<Value> numeric_column(const std::string& table_path, const std::string& name,
                                      hid_t memory_type, bool integers_only) const {
        TypeHandle type;
        const DatasetHandle dataset = open_table(table_path, type);
        const std::string at = where(table_path) + " column " + name;
        const unsigned index = member_index(type.get(), name, at);
        const H5T_class_t member_class = H5Tget_member_class(type.get(), index);
        if (member_class != H5T_INTEGER && (integers_only || member_class != H5T_FLOAT))
            fail(at, integers_only ? "is not an integer" : "is not numeric");
        // A compound memory type naming one field makes HDF5 read just that
        // field and convert it.
        const TypeHandle memory(H5Tcreate(H5T_COMPOUND, sizeof(Value)), at,
                                "cannot create column type");
        check(H5Tinsert(memory.get(), name.c_str(), 0, memory_type), at,
              "cannot build column type");
        const SpaceHandle space(H5Dget_space(dataset.get()), at, "cannot read table dataspace");
        std::vector<Value> values(static_cast<std::size_t>(element_count(space.get(), at)));
        if (!values.empty())
            check(H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                          values.data()),
                  at, "cannot read column");
        return values;
    }
};

namespace {

template <class Value>
Value single(std::vector<Value> values, const std::string& where) {
    if (values.size() != 1)
        fail(where, "has " + std::to_string(values.size()) + " values, expected one");
    return std::move(values.front());
}

struct VisitedDatasets {
    std::vector<std::string> names;
};

herr_t collect_dataset(hid_t, const char* name, const H5O_info_t* info, void* data) noexcept {
    try {
        if (info->type == H5O_TYPE_DATASET)
            static_cast<VisitedDatasets*>(data)->names.emplace_back(name);
    } catch (...) {
        return -1;
    }
    return 0;
}

}  // namespace

Reader::Reader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
    quiet_hdf5();
    impl_->file_name = path.string();
    impl_->file = FileHandle(H5Fopen(impl_->file_name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                             impl_->file_name, "cannot open results file");
}

Reader::~Reader() = default;

bool Reader::exists(const std::string& path) const {
    // H5Lexists fails, rather than answering false, when a parent is missing
    // or is not a group, so each prefix is checked in turn.
    std::string prefix;
    std::size_t start = path.find_first_not_of('/');
    while (start != std::string::npos) {
        if (!prefix.empty() && !impl_->is_group(prefix)) return false;
        const std::size_t end = path.find('/', start);
        prefix += "/" + path.substr(start, end == std::string::npos ? end : end - start);
        if (check(H5Lexists(impl_->file.get(), prefix.c_str(), H5P_DEFAULT),
                  impl_->where(prefix), "cannot look up link") <= 0)
            return false;
        start = end == std::string::npos ? end : path.find_first_not_of('/', end);
    }
    return true;
}

bool Reader::has_attribute(const std::string& object_path, const std::string& name) const {
    return check(H5Aexists_by_name(impl_->file.get(), object_path.c_str(), name.c_str(),
                                   H5P_DEFAULT),
                 impl_->where(object_path) + " attribute " + name,
                 "cannot look up attribute") > 0;
}

std::uint64_t Reader::table_rows(const std::string& table_path) const {
    TypeHandle type;
    const DatasetHandle dataset = impl_->open_table(table_path, type);
    const std::string where = impl_->where(table_path);
    const SpaceHandle space(H5Dget_space(dataset.get()), where, "cannot read table dataspace");
    return static_cast<std::uint64_t>(element_count(space.get(), where));
}

std::vector<std::string> Reader::table_columns(const std::string& table_path) const {
    TypeHandle type;
    const DatasetHandle dataset = impl_->open_table(table_path, type);
    const std::string where = impl_->where(table_path);
    const int count = check(H5Tget_nmembers(type.get()), where, "cannot count columns");
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) {
        char* name = H5Tget_member_name(type.get(), static_cast<unsigned>(i));
        if (name == nullptr) fail_hdf5(where, "cannot read column name");
        names.emplace_back(name);
        H5free_memory(name);
    }
    return names;
}

std::vector<double> Reader::column(const std::string& table_path, const std::string& name) const {
    return impl_->numeric_column<double>(table_path, name, H5T_NATIVE_DOUBLE, false);
}

std::vector<std::int64_t> Reader::int_column(const std::string& table_path,
                                             const std::string& name) const {
    return impl_->numeric_column<std::int64_t>(table_path, name, H5T_NATIVE_INT64, true);
}

std::vector<std::string> Reader::string_column(const std::string& table_path,
                                               const std::string& name) const {
    TypeHandle type;
    const DatasetHandle dataset = impl_->open_table(table_path, type);
    const std::string where = impl_->where(table_path) + " column " + name;
    const unsigned index = impl_->member_index(type.get(), name, where);
    if (H5Tget_member_class(type.get(), index) != H5T_STRING) fail(where, "is not a string");
    const TypeHandle member(H5Tget_member_type(type.get(), index), where,
                            "cannot read column type");
    const SpaceHandle space(H5Dget_space(dataset.get()), where, "cannot read table dataspace");
    // read_strings picks the memory type of one string; the read wraps it in
    // a compound naming the column, whose rows have the same layout.
    return read_strings(
        member.get(), space.get(),
        [&](hid_t memory, void* buffer) {
            const TypeHandle row(H5Tcreate(H5T_COMPOUND, H5Tget_size(memory)), where,
                                 "cannot create column type");
            check(H5Tinsert(row.get(), name.c_str(), 0, memory), where,
                  "cannot build column type");
            return H5Dread(dataset.get(), row.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
        },
        where);
}

std::string Reader::text(const std::string& dataset_path) const {
    const DatasetHandle dataset = impl_->open_dataset(dataset_path);
    const std::string where = impl_->where(dataset_path);
    const TypeHandle type(H5Dget_type(dataset.get()), where, "cannot read text type");
    const SpaceHandle space(H5Dget_space(dataset.get()), where, "cannot read text dataspace");
    return single(read_strings(type.get(), space.get(),
                               [&](hid_t memory, void* buffer) {
                                   return H5Dread(dataset.get(), memory, H5S_ALL, H5S_ALL,
                                                  H5P_DEFAULT, buffer);
                               },
                               where),
                  where);
}

std::string Reader::attribute_string(const std::string& object_path,
                                     const std::string& name) const {
    return single(impl_->attribute_strings(object_path, name),
                  impl_->where(object_path) + " attribute " + name);
}

std::vector<std::string> Reader::attribute_strings(const std::string& object_path,
                                                   const std::string& name) const {
    return impl_->attribute_strings(object_path, name);
}

std::int64_t Reader::attribute_int(const std::string& object_path, const std::string& name) const {
    return single(attribute_ints(object_path, name),
                  impl_->where(object_path) + " attribute " + name);
}

std::vector<std::int64_t> Reader::attribute_ints(const std::string& object_path,
                                                 const std::string& name) const {
    return impl_->attribute_numbers<std::int64_t>(object_path, name, H5T_NATIVE_INT64, true);
}

double Reader::attribute_double(const std::string& object_path, const std::string& name) const {
    return single(impl_->attribute_numbers<double>(object_path, name, H5T_NATIVE_DOUBLE, false),
                  impl_->where(object_path) + " attribute " + name);
}

namespace {

/// Whether the stored type of an array is `type`: same class, size and sign.
bool stores(hid_t stored, ArrayType type) {
    const hid_t wanted = array_types(type).second;
    const H5T_class_t kind = H5Tget_class(stored);
    if (kind != H5Tget_class(wanted) || H5Tget_size(stored) != H5Tget_size(wanted)) return false;
    return kind != H5T_INTEGER || H5Tget_sign(stored) == H5Tget_sign(wanted);
}

}  // namespace

std::size_t Reader::array_size(const std::string& path) const {
    const std::string where = impl_->where(path);
    if (!exists(path)) fail(where, "does not exist");
    const DatasetHandle dataset = impl_->open_dataset(path);
    const TypeHandle type(H5Dget_type(dataset.get()), where, "cannot read array type");
    const H5T_class_t kind = H5Tget_class(type.get());
    if (kind != H5T_INTEGER && kind != H5T_FLOAT) fail(where, "is not an array of numbers");
    const SpaceHandle space(H5Dget_space(dataset.get()), where, "cannot read array dataspace");
    if (H5Sget_simple_extent_ndims(space.get()) != 1) fail(where, "is not a 1-D array");
    return static_cast<std::size_t>(element_count(space.get(), where));
}

void Reader::read_array(const std::string& path, ArrayType type, void* out, std::size_t count) const {
    const std::string where = impl_->where(path);
    const std::size_t stored_count = array_size(path);
    if (stored_count != count)
        fail(where, "holds " + std::to_string(stored_count) + " elements, not " + std::to_string(count));
    const DatasetHandle dataset = impl_->open_dataset(path);
    const TypeHandle stored(H5Dget_type(dataset.get()), where, "cannot read array type");
    if (!stores(stored.get(), type)) fail(where, "is stored with another element type");
    if (count > 0)
        check(H5Dread(dataset.get(), array_types(type).first, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), where,
              "cannot read array");
}

std::vector<std::string> Reader::children(const std::string& group) const {
    const std::string where = impl_->where(group);
    if (!exists(group) || !impl_->is_group(group)) fail(where, "is not a group");
    const ObjectHandle object(H5Oopen(impl_->file.get(), group.c_str(), H5P_DEFAULT), where, "cannot open group");
    std::vector<std::string> names;
    const auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    check(H5Literate(object.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names), where,
          "cannot list group");
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> Reader::tables(const std::string& group) const {
    const std::string where = impl_->where(group);
    const ObjectHandle object(H5Oopen(impl_->file.get(), group.c_str(), H5P_DEFAULT), where,
                              "cannot open group");
    VisitedDatasets visited;
    check(H5Ovisit2(object.get(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &visited,
                    H5O_INFO_BASIC),
          where, "cannot list group");
    const std::string base = group.empty() || group.front() != '/' ? "/" + group : group;
    std::vector<std::string> paths;
    for (const std::string& name : visited.names) {
        const std::string path = join_path(base, name);
        const DatasetHandle dataset = impl_->open_dataset(path);
        const TypeHandle type(H5Dget_type(dataset.get()), impl_->where(path),
                              "cannot read dataset type");
        if (H5Tget_class(type.get()) == H5T_COMPOUND) paths.push_back(path);
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

// ====================================================================== output safety

namespace {

/// The HDF5 signature, at offset 0 or, after a user block, at 512, 1024, 2048...
bool has_hdf5_signature(const std::filesystem::path& path) {
    static constexpr char signature[8] = {'\211', 'H', 'D', 'F', '\r', '\n', '\032', '\n'};
    std::ifstream in(path, std::ios::binary);
    for (std::streamoff offset = 0; in; offset = offset == 0 ? 512 : offset * 2) {
        char bytes[8] = {};
        in.seekg(offset);
        if (!in.read(bytes, sizeof bytes)) return false;
        if (std::memcmp(bytes, signature, sizeof bytes) == 0) return true;
    }
    return false;
}

/// "(pid N)" of the process that holds a lock file, if it wrote it.
std::string lock_holder(int descriptor) {
    char text[32] = {};
    const ssize_t got = ::pread(descriptor, text, sizeof text - 1, 0);
    if (got <= 0) return "";
    std::string pid(text, static_cast<std::size_t>(got));
    pid.erase(pid.find_last_not_of("\n ") + 1);
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) return "";
    return " (pid " + pid + ")";
}

}  // namespace

bool is_results_file(const std::filesystem::path& path) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error) || !has_hdf5_signature(path)) return false;
    try {
        const Reader reader(path);
        return reader.has_attribute("/", "tiersim_version");
    } catch (const ResultsError&) {
        return false;
    }
}

OutputLock::OutputLock(const std::filesystem::path& path) : lock_path_(path.string() + ".lock") {
    const std::string where = path.string();
    // A holder that releases the lock meanwhile removes the file we opened:
    // then the lock we got is on a file nobody else will open; start again.
    for (int attempt = 0; attempt < 100; ++attempt) {
        const int descriptor = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (descriptor < 0)
            fail(where, "cannot create the lock file " + lock_path_.string() + ": " + std::strerror(errno));
        if (::flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
            const int code = errno;
            const std::string holder = lock_holder(descriptor);
            ::close(descriptor);
            if (code == EWOULDBLOCK)
                throw OutputBusy(where + ": another tiersim process" + holder +
                                 " is writing this file (it holds the lock " + lock_path_.string() + ")");
            fail(where, "cannot lock " + lock_path_.string() + ": " + std::strerror(code));
        }
        struct stat held {};
        struct stat named {};
        if (::fstat(descriptor, &held) == 0 && ::stat(lock_path_.c_str(), &named) == 0 &&
            held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
            const std::string pid = std::to_string(::getpid()) + "\n";
            if (::ftruncate(descriptor, 0) == 0)
                (void)!::pwrite(descriptor, pid.data(), pid.size(), 0);
            descriptor_ = descriptor;
            return;
        }
        ::close(descriptor);
    }
    fail(where, "cannot lock " + lock_path_.string() + ": it keeps being replaced");
}

OutputLock::~OutputLock() {
    if (descriptor_ < 0) return;
    // Removed while still held, so that no one locks the old file after us.
    ::unlink(lock_path_.c_str());
    ::close(descriptor_);
}

}  // namespace tiersim::sim::results
