/* A tiny program for the ELF import fixtures: it calls the functions glibc renames under -D_TIME_BITS=64
 * (clock_gettime, stat, localtime_r), so its dynamic imports show which time_t it was built for.
 * With -DNO_TIME it calls none of them. Built by generate.sh, never run. */
#include <stdio.h>
#ifndef NO_TIME
#include <sys/stat.h>
#include <time.h>
#endif

int main(int argc, char **argv)
{
#ifndef NO_TIME
    struct timespec ts;
    struct stat st;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (stat(argc > 1 ? argv[1] : "/", &st) != 0)
        return 1;
    localtime_r(&ts.tv_sec, &tm);
    printf("%d %lld\n", tm.tm_year, (long long)st.st_mtime);
#else
    printf("%d %s\n", argc, argv[0]);
#endif
    return 0;
}
