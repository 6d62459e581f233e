#define BOOST_TEST_MODULE socialauth unit tests
#include <boost/test/unit_test.hpp>
