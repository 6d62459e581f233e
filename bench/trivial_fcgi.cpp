// The benchmark's ceiling: a FastCGI responder that does no work at all, behind the
// same lighttpd as socialauth.fcgi. What it reaches is what the web server, the
// FastCGI protocol and the load generator allow on this machine.
#include <fcgiapp.h>

int main() {
    if (FCGX_Init() != 0) return 1;
    FCGX_Request request;
    if (FCGX_InitRequest(&request, 0, 0) != 0) return 1;
    static const char kAnswer[] =
        "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
        "{\"status\":\"ok\"}";
    while (FCGX_Accept_r(&request) == 0) {
        FCGX_PutStr(kAnswer, sizeof kAnswer - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}
