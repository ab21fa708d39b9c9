# Real-peer captures (tests/data/sip/captures, recorded by tools/capture/capture.sh): their own binary, included
# by CMakeLists.txt in this folder.
callgate_add_unit_test(sip_capture_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/captures_test.cpp DEPS callgate_sip_message)
