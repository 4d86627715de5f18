# The emulator layer against the real CPU: QEMU's x86 page walker (inside Unicorn) as the oracle
# for the model's walker. Included from tests/CMakeLists.txt.
add_executable(emulator_tests
  ${CMAKE_CURRENT_LIST_DIR}/paging_harness.cpp
  ${CMAKE_CURRENT_LIST_DIR}/500_walker_differential_test.cpp
)
target_link_libraries(emulator_tests PRIVATE vmlab_emulator vmlab_mmu GTest::gtest_main)
gtest_discover_tests(emulator_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
