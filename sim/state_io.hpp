// Saving a model's state into a results file and reading it back.
//
// A model's state is a set of named arrays (its columns, its graph, its
// ledgers) in one group of a results file, e.g. /state/end. These helpers name
// them relative to that group and check, when reading, that an array has the
// element type and length the model expects; what the arrays mean is the
// model's business. docs/hdf5.md, "/state".
#pragma once

#include "sim/results.hpp"

#include <span>
#include <string>
#include <vector>

namespace tiersim::sim {

/// Writes named arrays under one group of a results file.
class StateWriter {
public:
    StateWriter(results::File& file, std::string group) : file_(file), group_(std::move(group)) {}

    /// The writer of the group `name` inside this one.
    StateWriter sub(const std::string& name) const { return {file_, path(name)}; }
    const std::string& group() const noexcept { return group_; }

    template <class T>
    void put(const std::string& name, std::span<const T> values, const std::string& description) {
        file_.write_array(path(name), values, description);
    }
    template <class T>
    void put(const std::string& name, const std::vector<T>& values, const std::string& description) {
        put(name, std::span<const T>(values), description);
    }
    /// One value, stored as an array of one.
    template <class T>
    void put_value(const std::string& name, T value, const std::string& description) {
        put(name, std::span<const T>(&value, 1), description);
    }

private:
    std::string path(const std::string& name) const { return group_ + "/" + name; }
    results::File& file_;
    std::string group_;
};

/// Reads back what a StateWriter wrote. Every read throws results::ResultsError
/// naming the file and the array when it is missing or of another type or length.
class StateReader {
public:
    StateReader(const results::Reader& reader, std::string group) : reader_(reader), group_(std::move(group)) {}

    StateReader sub(const std::string& name) const { return {reader_, path(name)}; }
    const std::string& group() const noexcept { return group_; }
    /// Whether the group holds an object (array or group) called `name`.
    bool has(const std::string& name) const { return reader_.exists(path(name)); }

    template <class T>
    std::vector<T> get(const std::string& name) const {
        return reader_.read_array<T>(path(name));
    }
    /// Reads into `into`, which must already have the stored length (a column sized by the model).
    template <class T>
    void get_into(const std::string& name, std::vector<T>& into) const {
        reader_.read_array(path(name), results::array_type_of<T>(), into.data(), into.size());
    }
    template <class T>
    T get_value(const std::string& name) const {
        T value{};
        reader_.read_array(path(name), results::array_type_of<T>(), &value, 1);
        return value;
    }

private:
    std::string path(const std::string& name) const { return group_ + "/" + name; }
    const results::Reader& reader_;
    std::string group_;
};

}  // namespace tiersim::sim
