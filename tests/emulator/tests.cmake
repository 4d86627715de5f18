# The emulator layer: against the real CPU (QEMU's x86 page walker inside Unicorn as the oracle
# for the model's walker), and --strace's decoders. Included from tests/CMakeLists.txt.
add_executable(emulator_tests
  ${CMAKE_CURRENT_LIST_DIR}/cpu_facts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/paging_harness.cpp
  ${CMAKE_CURRENT_LIST_DIR}/500_walker_differential_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/510_walker_known_cases_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/520_softmmu_shadow_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/530_instruction_counter_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/550_memory_invariants_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/570_strace_format_test.cpp
)
target_link_libraries(emulator_tests PRIVATE vmlab_machine vmlab_strace_format GTest::gtest_main)
vmlab_expose(emulator_tests TREES tests/emulator)
target_compile_definitions(emulator_tests PRIVATE VMLAB_GUESTS_DIR="${CMAKE_BINARY_DIR}/guests")
add_dependencies(emulator_tests guests)
gtest_discover_tests(emulator_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
