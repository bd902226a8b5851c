# Source checks behind the "layering: ..." ctests (cmake/layering.cmake).
#
#   cmake -DSOURCE_DIR=<repo> -DCHECK=sim_includes_no_models -P check_layering.cmake
#       fails when a file under sim/ #includes anything under models/ (the engine
#       knows nothing of firms), or sim/CMakeLists.txt names tiersim::models.
#   cmake -DSOURCE_DIR=<repo> -DCHECK=hdf5_calls_in_results_only -P check_layering.cmake
#       fails when a raw HDF5 C call (H5Xxxx( ) appears in sim/, models/ or tests/
#       outside sim/results.cpp, the one layer that wraps the C API (STYLE.md,
#       "raw C calls confined to one small layer"). // comments are ignored.
#
# Each offending line is reported as path:line: text. Pure CMake: no grep, no Python.
cmake_policy(VERSION 3.25)
if(NOT SOURCE_DIR OR NOT CHECK)
  message(FATAL_ERROR "check_layering.cmake: -DSOURCE_DIR=... and -DCHECK=... are required")
endif()

set(cxx_globs *.c *.cc *.cpp *.cxx *.h *.hh *.hpp *.hxx *.ipp *.inl *.tpp *.in)

# Lines of `file` (a list, one element per line, line numbers = index + 1) in
# which ; [ ] and \ are replaced by control characters, so that CMake's list
# syntax cannot merge or split lines. `restore_text` undoes it for messages.
string(ASCII 1 semicolon_mark)
string(ASCII 2 open_mark)
string(ASCII 3 close_mark)
string(ASCII 4 backslash_mark)
function(read_lines file out)
  file(READ "${file}" text)
  string(REPLACE "\\" "${backslash_mark}" text "${text}")
  string(REPLACE ";" "${semicolon_mark}" text "${text}")
  string(REPLACE "[" "${open_mark}" text "${text}")
  string(REPLACE "]" "${close_mark}" text "${text}")
  string(REPLACE "\r" "" text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()
function(restore_text text out)
  string(REPLACE "${backslash_mark}" "\\" text "${text}")
  string(REPLACE "${semicolon_mark}" ";" text "${text}")
  string(REPLACE "${open_mark}" "[" text "${text}")
  string(REPLACE "${close_mark}" "]" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Appends "path:line: text" to `violations` for each line of each file that
# matches `regex` (after removing // comments when strip_comments is TRUE).
set(violations "")
function(scan files regex strip_comments)
  set(found "")
  foreach(file IN LISTS files)
    # Fast path: most files have no match at all.
    file(STRINGS "${file}" hits REGEX "${regex}")
    if(NOT hits)
      continue()
    endif()
    file(RELATIVE_PATH rel "${SOURCE_DIR}" "${file}")
    read_lines("${file}" lines)
    set(number 0)
    foreach(line IN LISTS lines)
      math(EXPR number "${number} + 1")
      set(code "${line}")
      if(strip_comments)
        string(REGEX REPLACE "//.*$" "" code "${code}")
      endif()
      if(code MATCHES "${regex}")
        string(STRIP "${line}" text)
        list(APPEND found "${rel}:${number}: ${text}")
      endif()
    endforeach()
  endforeach()
  set(violations "${violations};${found}" PARENT_SCOPE)
endfunction()

function(glob_sources out)
  set(patterns "")
  foreach(dir IN LISTS ARGN)
    foreach(glob IN LISTS cxx_globs)
      list(APPEND patterns "${SOURCE_DIR}/${dir}/${glob}")
    endforeach()
  endforeach()
  file(GLOB_RECURSE files LIST_DIRECTORIES false ${patterns})
  list(SORT files)
  set(${out} "${files}" PARENT_SCOPE)
endfunction()

if(CHECK STREQUAL "sim_includes_no_models")
  glob_sources(files sim)
  # #include "models/x.hpp", <models/x.hpp>, "../models/x.hpp", "../../models/x.hpp"...
  scan("${files}" "^[ \t]*#[ \t]*include[ \t]*[<\"]([^\">]*/)?models/" FALSE)
  set(cmake_file "${SOURCE_DIR}/sim/CMakeLists.txt")
  if(EXISTS "${cmake_file}")
    scan("${cmake_file}" "tiersim(::|_)models" FALSE)
  endif()
  set(rule "sim/ (the engine) must not include or link anything from models/; move the shared piece into sim/ or invert the dependency")
elseif(CHECK STREQUAL "hdf5_calls_in_results_only")
  glob_sources(files sim models tests)
  list(REMOVE_ITEM files "${SOURCE_DIR}/sim/results.cpp")
  # \bH5[A-Z][A-Za-z]*\s*\(  in CMake's regex dialect
  scan("${files}" "(^|[^A-Za-z0-9_])H5[A-Z][A-Za-z]*[ \t]*\\(" TRUE)
  set(rule "raw HDF5 C calls belong in sim/results.cpp only; use (or add) a wrapper from sim/results.hpp")
else()
  message(FATAL_ERROR "check_layering.cmake: unknown CHECK '${CHECK}'")
endif()

list(REMOVE_ITEM violations "")
list(LENGTH files scanned)
if(violations)
  list(LENGTH violations count)
  list(JOIN violations "\n  " listing)
  restore_text("${listing}" listing)
  message(FATAL_ERROR "${CHECK}: ${count} violation(s):\n  ${listing}\n${rule}")
endif()
message(STATUS "${CHECK}: ${scanned} files scanned, no violations")
