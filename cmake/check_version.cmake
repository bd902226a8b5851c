# ctest "build: tiersim --version names the checked-out commit": the commit the
# binary prints (and stores in every results file as git_commit) is HEAD's, so
# a rebuild after a commit never carries the old one.
#   cmake -DTIERSIM=<exe> -DSOURCE_DIR=<repo> [-DGIT_EXECUTABLE=<git>] -P check_version.cmake
if(NOT GIT_EXECUTABLE)
  set(GIT_EXECUTABLE git)
endif()
execute_process(COMMAND ${TIERSIM} --version RESULT_VARIABLE result OUTPUT_VARIABLE printed
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT result EQUAL 0 OR NOT printed MATCHES "\\(commit ([^,) ]+)")
  message(FATAL_ERROR "'${TIERSIM} --version' printed no commit: '${printed}' (exit ${result})")
endif()
set(stamped "${CMAKE_MATCH_1}")
execute_process(COMMAND ${GIT_EXECUTABLE} --no-optional-locks rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${SOURCE_DIR}
                RESULT_VARIABLE rev_result OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT rev_result EQUAL 0)
  set(head "unknown")  # not a git checkout (a release tarball)
endif()
# Whether the tree is dirty can change between the build and the test (someone
# edits a file); the commit cannot without a rebuild being due.
string(REGEX REPLACE "-dirty$" "" stamped_commit "${stamped}")
if(NOT stamped_commit STREQUAL head)
  message(FATAL_ERROR "tiersim says commit ${stamped}, but HEAD is ${head}: the binary is stale "
                      "(rebuild it: the stamp is a build step, no reconfigure needed)")
endif()
message(STATUS "tiersim --version: commit ${stamped}, HEAD ${head}")
