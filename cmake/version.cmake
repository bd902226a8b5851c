# Commit stamp (docs/architecture.md, "Build checks"): tiersim/version.hpp is
# written at *build* time, not configure time, so `cmake --build` after a
# commit or checkout records the new commit without reconfiguring. The script
# rewrites the header only when its text changes, and the byproduct lets Ninja
# skip (restat) everything that includes it when it did not.
find_package(Git QUIET)
set(TIERSIM_VERSION_HEADER ${CMAKE_BINARY_DIR}/generated/tiersim/version.hpp)
set(tiersim_stamp_args
  -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
  -DTEMPLATE=${PROJECT_SOURCE_DIR}/sim/version.hpp.in
  -DOUTPUT=${TIERSIM_VERSION_HEADER}
  -DPROJECT_VERSION=${PROJECT_VERSION}
  -DGIT_EXECUTABLE=${GIT_EXECUTABLE})
# Once now, so the header exists for whatever reads it before the first build.
execute_process(COMMAND ${CMAKE_COMMAND} ${tiersim_stamp_args} -DTIERSIM_BUILD_TYPE=${CMAKE_BUILD_TYPE}
                        -P ${CMAKE_CURRENT_LIST_DIR}/stamp_version.cmake
                COMMAND_ERROR_IS_FATAL ANY)
# And at every build.
add_custom_target(tiersim_version
  COMMAND ${CMAKE_COMMAND} ${tiersim_stamp_args} -DTIERSIM_BUILD_TYPE=$<CONFIG>
          -P ${CMAKE_CURRENT_LIST_DIR}/stamp_version.cmake
  BYPRODUCTS ${TIERSIM_VERSION_HEADER}
  DEPENDS ${PROJECT_SOURCE_DIR}/sim/version.hpp.in ${CMAKE_CURRENT_LIST_DIR}/stamp_version.cmake
  COMMENT "Stamping the git commit into tiersim/version.hpp"
  VERBATIM)
# The header sits on tiersim::sim's include path, so every target that links
# the engine (and so may include it) waits for the stamp.
add_dependencies(tiersim_sim tiersim_version)

if(TIERSIM_BUILD_TESTS)
  add_test(NAME "build: tiersim --version names the checked-out commit"
           COMMAND ${CMAKE_COMMAND} -DTIERSIM=$<TARGET_FILE:tiersim> -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DGIT_EXECUTABLE=${GIT_EXECUTABLE} -P ${CMAKE_CURRENT_LIST_DIR}/check_version.cmake)
endif()
