# Lua scripting (issue 8): the API in-process (every binding, its exact errors), the `script`
# command and `run --script` through the binary, and every experiment in quick mode (each
# checks its own key numbers and exits non-zero when one is wrong). Included from
# tests/CMakeLists.txt.
add_executable(lua_tests
  ${CMAKE_CURRENT_LIST_DIR}/lua_test_support.cpp
  ${CMAKE_CURRENT_LIST_DIR}/600_runtime_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/610_machine_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/620_events_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/630_queries_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/640_policies_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/650_output_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/660_run_script_test.cpp
)
target_link_libraries(lua_tests PRIVATE vmlab_lua vmlab_test_support GTest::gtest_main)
vmlab_expose(lua_tests TREES tests/lua)
# vmlab.guest() finds guests next to the running binary: the tests run from the build folder.
add_dependencies(lua_tests vmlab guests)
gtest_discover_tests(lua_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)

file(GLOB VMLAB_EXPERIMENTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scripts/experiments/*.lua)
foreach(script ${VMLAB_EXPERIMENTS})
  get_filename_component(experiment ${script} NAME_WE)
  add_test(NAME experiment.${experiment}.quick
           COMMAND vmlab script ${script} --quick
                   --out ${CMAKE_BINARY_DIR}/experiments/${experiment}
           WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  set_tests_properties(experiment.${experiment}.quick PROPERTIES TIMEOUT 600)
endforeach()
