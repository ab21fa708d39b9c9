# RFC 4475 / RFC 5118 SIP torture suite: its own binary, included by CMakeLists.txt in this folder.
callgate_add_unit_test(sip_torture_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/rfc4475_test.cpp ${CMAKE_CURRENT_LIST_DIR}/rfc5118_test.cpp DEPS callgate_sip_message)
