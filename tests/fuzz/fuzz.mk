# Rules for tests/fuzz/build.sh (which sets every variable below); not an automake file.
SAN       := -fsanitize=address,undefined -fno-sanitize-recover=undefined
CXXFLAGS  := -std=c++17 -g -O1 -fno-omit-frame-pointer $(SAN) $(EXTRA_CXXFLAGS)
CPPFLAGS  := -I$(SRCDIR)/src -I$(SRCDIR)/tests -DSOCIALAUTH_SQL_DIR='"/nonexistent"' \
             -DSOCIALAUTH_TEST_DATA='"$(SRCDIR)/tests/data"' $(PKG_CFLAGS)

LIB_OBJS  := $(patsubst %.cpp,$(OUT)/obj/%.o,$(LIB_SOURCES))
LIB       := $(OUT)/libsocialauth-fuzz.a
BINS      := $(addprefix $(OUT)/,$(TARGETS))

all: $(BINS)

# The library code is instrumented for coverage too (fuzzer-no-link), so libFuzzer
# sees the paths it takes inside the parsers.
$(OUT)/obj/%.o: $(SRCDIR)/%.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $*.cpp"
	@$(CXX) $(CPPFLAGS) $(CXXFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	@ar cr $@ $^

$(OUT)/%: $(SRCDIR)/tests/fuzz/%.cpp $(LIB)
	@echo "  FUZZ  $*"
	@$(CXX) $(CPPFLAGS) $(CXXFLAGS) -fsanitize=fuzzer -MMD -MP -MF $@.d $< $(LIB) $(PKG_LIBS) -o $@

-include $(LIB_OBJS:.o=.d) $(BINS:=.d)

.PHONY: all
.DELETE_ON_ERROR:
