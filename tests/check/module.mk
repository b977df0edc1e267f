# tests/check: clang-format and cppcheck over the tree, as a suite.
COMPONENT_SUITES += check/style
SUITE_CMD_check/style := sh tests/check/run_check.sh

# tests/check/call_circles.py reads the call graph from the objects of every
# C file under kernel/, lib/ and host/: the kernel's object where the kernel
# is built from the file, else the release build's.
CALL_GRAPH_SRCS := $(filter %.c,$(shell git ls-files 'kernel/*.c' 'lib/*.c' 'host/*.c' 2>/dev/null))
CALL_GRAPH_KERNEL_SRCS := $(filter $(KERNEL_SRCS) $(KERNEL_LIB_SRCS),$(CALL_GRAPH_SRCS))
CALL_GRAPH_OBJS := $(patsubst %.c,$(BUILD)/kernel/%.o,$(CALL_GRAPH_KERNEL_SRCS)) \
    $(call rel_objs,$(filter-out $(CALL_GRAPH_KERNEL_SRCS),$(CALL_GRAPH_SRCS)))
TEST_DEPS += $(CALL_GRAPH_OBJS)
check: $(CALL_GRAPH_OBJS)
