# Writes tiersim/version.hpp from sim/version.hpp.in with the commit checked
# out *now* (run at every build by the tiersim_version target, see
# cmake/version.cmake). The file is rewritten only when its text changes, so a
# build on the same commit recompiles nothing.
#
#   cmake -DSOURCE_DIR=<repo> -DTEMPLATE=<version.hpp.in> -DOUTPUT=<version.hpp>
#         -DPROJECT_VERSION=<x.y.z> -DTIERSIM_BUILD_TYPE=<type> [-DGIT_EXECUTABLE=<git>]
#         -P stamp_version.cmake
#
# The commit is `git rev-parse --short=12 HEAD`, with "-dirty" when tracked
# files differ from HEAD (untracked files do not count), or "unknown" outside
# a git checkout. --no-optional-locks: several people build in one working
# tree, and a refresh of .git/index must never race their `git add`/`commit`.
foreach(var IN ITEMS SOURCE_DIR TEMPLATE OUTPUT PROJECT_VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "stamp_version.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT GIT_EXECUTABLE)
  set(GIT_EXECUTABLE git)
endif()

set(TIERSIM_GIT_COMMIT "unknown")
execute_process(COMMAND ${GIT_EXECUTABLE} --no-optional-locks rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${SOURCE_DIR}
                RESULT_VARIABLE rev_result OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(rev_result EQUAL 0 AND rev)
  set(TIERSIM_GIT_COMMIT "${rev}")
  execute_process(COMMAND ${GIT_EXECUTABLE} --no-optional-locks status --porcelain --untracked-files=no
                  WORKING_DIRECTORY ${SOURCE_DIR}
                  RESULT_VARIABLE status_result OUTPUT_VARIABLE changes ERROR_QUIET)
  if(status_result EQUAL 0 AND NOT changes STREQUAL "")
    string(APPEND TIERSIM_GIT_COMMIT "-dirty")
  endif()
endif()

# configure_file leaves the output untouched (same timestamp) when its text is unchanged.
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
