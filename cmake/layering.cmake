# Layering (docs/architecture.md, "Build checks"): sim/ is the model-agnostic
# engine and may include nothing from models/.
#
# 1. Enforced by the compiler. sim/CMakeLists.txt puts the repository root on
#    tiersim::sim's PUBLIC include path, which models/ and tests/ need for
#    "models/..." and "sim/..." alike. For tiersim_sim's *own* compilation the
#    root is swapped for a tree in the build directory that holds only a `sim`
#    link to sim/, so `#include "models/x.hpp"` in sim/ is "No such file".
#    Consumers keep the root (INTERFACE_INCLUDE_DIRECTORIES is untouched).
# 2. Enforced at configure time: tiersim_sim links nothing from models/, and no
#    directory on its include path has a models/ inside.
# 3. Enforced by ctest (cmake/check_layering.cmake), which also catches what a
#    compiler cannot, such as "../models/x.hpp": "layering: sim/ includes
#    nothing from models/" and "layering: raw HDF5 calls only in sim/results.cpp".
set(TIERSIM_SIM_INCLUDE_TREE ${CMAKE_BINARY_DIR}/layering/sim-only)
file(MAKE_DIRECTORY ${TIERSIM_SIM_INCLUDE_TREE})
if(NOT IS_SYMLINK ${TIERSIM_SIM_INCLUDE_TREE}/sim)
  file(REMOVE_RECURSE ${TIERSIM_SIM_INCLUDE_TREE}/sim)
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/sim ${TIERSIM_SIM_INCLUDE_TREE}/sim SYMBOLIC)
endif()

get_target_property(tiersim_sim_includes tiersim_sim INCLUDE_DIRECTORIES)
list(FIND tiersim_sim_includes "${PROJECT_SOURCE_DIR}" root_index)
if(NOT root_index EQUAL -1)
  list(REMOVE_AT tiersim_sim_includes ${root_index})
  list(INSERT tiersim_sim_includes ${root_index} "${TIERSIM_SIM_INCLUDE_TREE}")
  set_property(TARGET tiersim_sim PROPERTY INCLUDE_DIRECTORIES "${tiersim_sim_includes}")
endif()
foreach(dir IN LISTS tiersim_sim_includes)
  if(NOT dir MATCHES "^\\$<" AND IS_DIRECTORY "${dir}/models")
    message(FATAL_ERROR "layering: tiersim_sim compiles with ${dir} on its include path, from which "
                        "models/ headers can be reached. sim/ may not include models/ (cmake/layering.cmake).")
  endif()
endforeach()
get_target_property(tiersim_sim_links tiersim_sim LINK_LIBRARIES)
foreach(lib IN LISTS tiersim_sim_links)
  if(lib MATCHES "tiersim(::|_)models")
    message(FATAL_ERROR "layering: tiersim_sim links ${lib}; the engine may not depend on models/.")
  endif()
endforeach()

if(TIERSIM_BUILD_TESTS)
  add_test(NAME "layering: sim/ includes nothing from models/"
           COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DCHECK=sim_includes_no_models
                   -P ${CMAKE_CURRENT_LIST_DIR}/check_layering.cmake)
  add_test(NAME "layering: raw HDF5 calls only in sim/results.cpp"
           COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DCHECK=hdf5_calls_in_results_only
                   -P ${CMAKE_CURRENT_LIST_DIR}/check_layering.cmake)
endif()
