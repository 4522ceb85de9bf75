/*
 * Self-test of libfakecam. It loads the library the way the server does (dlopen, RTLD_LOCAL) and calls it only
 * through dlsym'd pointers. Each scenario runs in a forked child, because the library reads its environment once
 * when it is loaded and every fault triggers at most once per process.
 *
 * Usage: selftest [path/to/libfakecam.so]   (exit status 0 when every check passed)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <turbojpeg.h>
#include <unistd.h>

static int (*f_open)(const char *, int, ...);
static int (*f_close)(int);
static int (*f_ioctl)(int, unsigned long, ...);
static void *(*f_mmap)(void *, size_t, int, int, int, off_t);
static int (*f_munmap)(void *, size_t);
static int (*f_poll)(struct pollfd *, nfds_t, int);
static int (*f_ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
static int (*f_select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
static int (*f_pselect)(int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *);

static const char *libpath = "./libfakecam.so";
static char dir[256];
static int failures, checks;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        checks++;                                                                                                      \
        if (!(cond)) {                                                                                                 \
            failures++;                                                                                                \
            printf("  FAIL %s:%d: %s -- ", __FILE__, __LINE__, #cond);                                                 \
            printf(__VA_ARGS__);                                                                                       \
            printf("\n");                                                                                              \
        }                                                                                                              \
    } while (0)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void load(void)
{
    void *lib = dlopen(libpath, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        printf("  cannot load %s: %s\n", libpath, dlerror());
        exit(2);
    }
    *(void **)&f_open = dlsym(lib, "open");
    *(void **)&f_close = dlsym(lib, "close");
    *(void **)&f_ioctl = dlsym(lib, "ioctl");
    *(void **)&f_mmap = dlsym(lib, "mmap");
    *(void **)&f_munmap = dlsym(lib, "munmap");
    *(void **)&f_poll = dlsym(lib, "poll");
    *(void **)&f_ppoll = dlsym(lib, "ppoll");
    *(void **)&f_select = dlsym(lib, "select");
    *(void **)&f_pselect = dlsym(lib, "pselect");
    if (!f_open || !f_close || !f_ioctl || !f_mmap || !f_munmap || !f_poll || !f_ppoll || !f_select || !f_pselect) {
        printf("  missing symbols\n");
        exit(2);
    }
}

static int xioctl(int fd, unsigned long req, void *arg)
{
    int r = f_ioctl(fd, req, arg);
    return r < 0 ? -errno : r;
}

/* ---------- a small capture helper ---------- */

struct cap {
    int fd;
    unsigned n;
    void *mem[8];
    size_t len[8];
};

static int set_format(int fd, unsigned w, unsigned h, uint32_t fourcc, unsigned fps)
{
    struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    f.fmt.pix.width = w;
    f.fmt.pix.height = h;
    f.fmt.pix.pixelformat = fourcc;
    int r = xioctl(fd, VIDIOC_S_FMT, &f);
    if (r)
        return r;
    struct v4l2_streamparm p = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    p.parm.capture.timeperframe.numerator = 1;
    p.parm.capture.timeperframe.denominator = fps;
    return xioctl(fd, VIDIOC_S_PARM, &p);
}

static int start(struct cap *c, unsigned count)
{
    struct v4l2_requestbuffers rb = { .count = count, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
    int r = xioctl(c->fd, VIDIOC_REQBUFS, &rb);
    if (r)
        return r;
    c->n = rb.count;
    for (unsigned i = 0; i < c->n; i++) {
        struct v4l2_buffer b = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
        if ((r = xioctl(c->fd, VIDIOC_QUERYBUF, &b)))
            return r;
        c->len[i] = b.length;
        c->mem[i] = f_mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, b.m.offset);
        if (c->mem[i] == MAP_FAILED)
            return -errno;
        if ((r = xioctl(c->fd, VIDIOC_QBUF, &b)))
            return r;
    }
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    return xioctl(c->fd, VIDIOC_STREAMON, &type);
}

/* Waits for a frame with poll and dequeues it; returns 0, a negative errno, or 1 on poll timeout. */
static int next_frame(struct cap *c, struct v4l2_buffer *b, int timeout_ms)
{
    struct pollfd p = { .fd = c->fd, .events = POLLIN };
    int r = f_poll(&p, 1, timeout_ms);
    if (r < 0)
        return -errno;
    if (r == 0)
        return 1;
    if (p.revents & POLLERR)
        return -EPIPE;
    memset(b, 0, sizeof *b);
    b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b->memory = V4L2_MEMORY_MMAP;
    return xioctl(c->fd, VIDIOC_DQBUF, b);
}

static int requeue(struct cap *c, struct v4l2_buffer *b) { return xioctl(c->fd, VIDIOC_QBUF, b); }

static void stop(struct cap *c)
{
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    xioctl(c->fd, VIDIOC_STREAMOFF, &type);
    for (unsigned i = 0; i < c->n; i++)
        f_munmap(c->mem[i], c->len[i]);
    struct v4l2_requestbuffers rb = { .count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
    xioctl(c->fd, VIDIOC_REQBUFS, &rb);
    c->n = 0;
}

/* ---------- JPEG inspection ---------- */

struct jinfo {
    int ok;          /* SOI at start, EOI at end */
    int com_first;   /* a COM segment right after SOI */
    char com[512];   /* its text */
    int has_dht;
    int has_dri;
    unsigned w, h;
    unsigned char y_sampling; /* SOF0's first component: 0x22 for 4:2:0, 0x21 for 4:2:2 */
};

static struct jinfo inspect(const unsigned char *p, size_t len)
{
    struct jinfo j = { 0 };
    j.ok = len > 4 && p[0] == 0xFF && p[1] == 0xD8 && p[len - 2] == 0xFF && p[len - 1] == 0xD9;
    size_t i = 2;
    int first = 1;
    while (i + 4 <= len && p[i] == 0xFF) {
        unsigned m = p[i + 1];
        size_t seg = (size_t)p[i + 2] << 8 | p[i + 3];
        if (m == 0xFE && first) {
            j.com_first = 1;
            size_t tl = seg - 2 < sizeof j.com - 1 ? seg - 2 : sizeof j.com - 1;
            memcpy(j.com, p + i + 4, tl);
            j.com[tl] = 0;
        }
        if (m == 0xC4)
            j.has_dht = 1;
        if (m == 0xDD)
            j.has_dri = 1;
        if (m == 0xC0 && i + 12 <= len) {
            j.h = (unsigned)p[i + 5] << 8 | p[i + 6];
            j.w = (unsigned)p[i + 7] << 8 | p[i + 8];
            j.y_sampling = p[i + 11];
        }
        if (m == 0xDA)
            break;
        first = 0;
        i += 2 + seg;
    }
    return j;
}

static int expected_subsamp = TJSAMP_420;

/* Decodes with libjpeg-turbo; returns 0 when the picture has the expected size and subsampling and decodes without error. */
static int decodes(const unsigned char *p, size_t len, int w, int h)
{
    tjhandle tj = tjInitDecompress();
    int jw = 0, jh = 0, sub = 0, cs = 0, rc = -1;
    if (tj && tjDecompressHeader3(tj, p, len, &jw, &jh, &sub, &cs) == 0 && jw == w && jh == h && sub == expected_subsamp) {
        unsigned char *rgb = malloc((size_t)w * h * 3);
        rc = tjDecompress2(tj, p, len, rgb, w, 0, h, TJPF_RGB, 0) == 0 ? 0 : -1;
        free(rgb);
    }
    if (tj)
        tjDestroy(tj);
    return rc;
}

static long com_value(const char *com, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, " %s=", key);
    const char *p = strstr(com, pat);
    return p ? strtol(p + strlen(pat), NULL, 10) : -99999;
}

static void path_of(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

/* ---------- scenarios ---------- */

static void scenario_main(void)
{
    char dev[300], meta[300], link[300], env[700];
    path_of(dev, sizeof dev, "video0");
    path_of(meta, sizeof meta, "video1");
    snprintf(env, sizeof env, "%s:%s", dev, meta);
    setenv("FAKECAM_DEVICES", env, 1);
    setenv("FAKECAM_META_DEVICES", meta, 1);
    load();

    struct stat st;
    CHECK(stat(dev, &st) == 0 && S_ISREG(st.st_mode), "device file created on load");
    path_of(link, sizeof link, "by-id");
    mkdir(link, 0777);
    path_of(link, sizeof link, "by-id/usb-Fake-video-index0");
    symlink("../video0", link);

    /* Open through the symlink; the fd must be visible in /proc/self/fd as the device file. */
    int fd = f_open(link, O_RDWR | O_CLOEXEC);
    CHECK(fd >= 0, "open via symlink: %s", strerror(errno));
    char procp[64], target[300] = "";
    snprintf(procp, sizeof procp, "/proc/self/fd/%d", fd);
    ssize_t tl = readlink(procp, target, sizeof target - 1);
    if (tl > 0)
        target[tl] = 0;
    CHECK(strcmp(target, dev) == 0, "/proc/self/fd shows %s", target);

    struct v4l2_capability cap;
    CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0, "QUERYCAP");
    CHECK(strcmp((char *)cap.driver, "fakecam") == 0 && strcmp((char *)cap.card, "Fake Camera 0") == 0 &&
              strcmp((char *)cap.bus_info, "usb-fakecam-0") == 0,
          "QUERYCAP strings %s / %s / %s", cap.driver, cap.card, cap.bus_info);
    CHECK(cap.device_caps == (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING) &&
              cap.capabilities == (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING | V4L2_CAP_DEVICE_CAPS),
          "caps %x %x", cap.capabilities, cap.device_caps);

    /* Formats, sizes, intervals. */
    struct v4l2_fmtdesc fd0 = { .index = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    CHECK(xioctl(fd, VIDIOC_ENUM_FMT, &fd0) == 0 && fd0.pixelformat == V4L2_PIX_FMT_MJPEG &&
              fd0.flags == V4L2_FMT_FLAG_COMPRESSED && strcmp((char *)fd0.description, "Motion-JPEG") == 0,
          "ENUM_FMT 0");
    struct v4l2_fmtdesc fd1 = { .index = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    CHECK(xioctl(fd, VIDIOC_ENUM_FMT, &fd1) == 0 && fd1.pixelformat == V4L2_PIX_FMT_YUYV, "ENUM_FMT 1");
    struct v4l2_fmtdesc fd2 = { .index = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    CHECK(xioctl(fd, VIDIOC_ENUM_FMT, &fd2) == -EINVAL, "ENUM_FMT 2 -> EINVAL");
    int nsizes = 0;
    for (unsigned i = 0;; i++) {
        struct v4l2_frmsizeenum s = { .index = i, .pixel_format = V4L2_PIX_FMT_YUYV };
        if (xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &s))
            break;
        CHECK(s.type == V4L2_FRMSIZE_TYPE_DISCRETE, "discrete");
        nsizes++;
        int nivals = 0;
        for (unsigned k = 0;; k++) {
            struct v4l2_frmivalenum fi = { .index = k, .pixel_format = V4L2_PIX_FMT_YUYV, .width = s.discrete.width,
                                           .height = s.discrete.height };
            if (xioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi))
                break;
            nivals++;
        }
        CHECK(nivals == 4, "4 intervals at %ux%u, got %d", s.discrete.width, s.discrete.height, nivals);
    }
    CHECK(nsizes == 3, "3 frame sizes, got %d", nsizes);

    struct v4l2_format g = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    CHECK(xioctl(fd, VIDIOC_G_FMT, &g) == 0 && g.fmt.pix.width == 640 && g.fmt.pix.height == 480 &&
              g.fmt.pix.pixelformat == V4L2_PIX_FMT_MJPEG,
          "default format 640x480 MJPEG");
    struct v4l2_format t = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    t.fmt.pix.width = 1300;
    t.fmt.pix.height = 700;
    t.fmt.pix.pixelformat = v4l2_fourcc('H', '2', '6', '4');
    CHECK(xioctl(fd, VIDIOC_TRY_FMT, &t) == 0 && t.fmt.pix.width == 1280 && t.fmt.pix.height == 720 &&
              t.fmt.pix.pixelformat == V4L2_PIX_FMT_MJPEG && t.fmt.pix.sizeimage == 1280 * 720 * 2,
          "TRY_FMT snaps 1300x700 H264 to 1280x720 MJPEG, got %ux%u", t.fmt.pix.width, t.fmt.pix.height);

    struct v4l2_streamparm sp = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    CHECK(xioctl(fd, VIDIOC_G_PARM, &sp) == 0 && sp.parm.capture.capability == V4L2_CAP_TIMEPERFRAME &&
              sp.parm.capture.timeperframe.denominator == 30,
          "G_PARM default 1/30");
    sp.parm.capture.timeperframe.numerator = 1;
    sp.parm.capture.timeperframe.denominator = 11;
    CHECK(xioctl(fd, VIDIOC_S_PARM, &sp) == 0 && sp.parm.capture.timeperframe.numerator == 1 &&
              sp.parm.capture.timeperframe.denominator == 10,
          "S_PARM 1/11 snaps to 1/10, got %u/%u", sp.parm.capture.timeperframe.numerator,
          sp.parm.capture.timeperframe.denominator);

    /* The documented flow: S_FMT 1280x720 MJPEG, S_PARM 1/15, REQBUFS 4, mmap, QBUF, STREAMON. */
    CHECK(set_format(fd, 1280, 720, V4L2_PIX_FMT_MJPEG, 15) == 0, "S_FMT + S_PARM");
    struct cap c = { .fd = fd };
    CHECK(start(&c, 4) == 0, "REQBUFS/mmap/QBUF/STREAMON");
    CHECK(c.n == 4, "4 buffers granted, got %u", c.n);

    /* A second handle may open and query, but not take the stream. */
    int fd2b = f_open(dev, O_RDWR);
    CHECK(fd2b >= 0, "second open");
    struct v4l2_requestbuffers rb2 = { .count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
    CHECK(xioctl(fd2b, VIDIOC_REQBUFS, &rb2) == -EBUSY, "second handle REQBUFS -> EBUSY");
    struct v4l2_format f2 = g;
    CHECK(xioctl(fd2b, VIDIOC_S_FMT, &f2) == -EBUSY, "second handle S_FMT -> EBUSY");
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    CHECK(xioctl(fd2b, VIDIOC_STREAMON, &type) == -EBUSY, "second handle STREAMON -> EBUSY");
    struct v4l2_format g2 = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    CHECK(xioctl(fd2b, VIDIOC_G_FMT, &g2) == 0 && g2.fmt.pix.width == 1280, "second handle sees the format");
    f_close(fd2b);
    CHECK(xioctl(fd, VIDIOC_S_FMT, &f2) == -EBUSY, "S_FMT while streaming -> EBUSY");

    /* Ten frames, mixed with a real pipe in the poll set. */
    int pipefd[2];
    CHECK(pipe(pipefd) == 0, "pipe");
    double t0 = now_s();
    uint32_t lastseq = 0;
    long lastn = 0;
    int frames = 0;
    for (int k = 0; k < 10; k++) {
        struct pollfd p[2] = { { .fd = pipefd[0], .events = POLLIN }, { .fd = fd, .events = POLLIN | POLLRDNORM } };
        int r = f_poll(p, 2, 2000);
        CHECK(r == 1 && p[1].revents == (POLLIN | POLLRDNORM) && p[0].revents == 0, "poll r=%d rev=%x/%x", r,
              p[0].revents, p[1].revents);
        struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
        CHECK(xioctl(fd, VIDIOC_DQBUF, &b) == 0, "DQBUF");
        CHECK((b.flags & (V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_DONE | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC)) ==
                  (V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_DONE | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC),
              "flags %x", b.flags);
        CHECK(k == 0 || b.sequence == lastseq + 1, "sequence %u after %u", b.sequence, lastseq);
        lastseq = b.sequence;
        struct jinfo j = inspect(c.mem[b.index], b.bytesused);
        CHECK(j.ok && j.com_first, "frame %d: JPEG SOI..EOI with COM first", k);
        CHECK(j.w == 1280 && j.h == 720, "SOF size %ux%u", j.w, j.h);
        CHECK(strncmp(j.com, "FAKECAM frame=", 14) == 0 && strstr(j.com, " size=1280x720 fourcc=MJPG "),
              "COM text: %s", j.com);
        long n = com_value(j.com, "frame");
        CHECK(k == 0 ? n == 1 : n == lastn + 1, "frame number %ld after %ld", n, lastn);
        lastn = n;
        CHECK(j.has_dht == !(n & 1), "frame %ld %s DHT", n, j.has_dht ? "has" : "lacks");
        if (k < 2)
            CHECK(decodes(c.mem[b.index], b.bytesused, 1280, 720) == 0, "frame %ld decodes (%s DHT)", n,
                  j.has_dht ? "with" : "without");
        frames++;
        CHECK(requeue(&c, &b) == 0, "QBUF");
    }
    double elapsed = now_s() - t0;
    double fps = frames / elapsed;
    printf("  10 frames at S_PARM 1/15: %.2f s, %.1f fps\n", elapsed, fps);
    CHECK(fps > 12 && fps < 17, "about 15 fps: %.1f", fps);

    /* A real fd becoming readable wakes poll even when the camera has nothing. */
    CHECK(write(pipefd[1], "x", 1) == 1, "write");
    {
        struct pollfd p[2] = { { .fd = pipefd[0], .events = POLLIN }, { .fd = fd, .events = POLLIN } };
        int r = f_poll(p, 2, 1000);
        CHECK(r >= 1 && (p[0].revents & POLLIN), "pipe readiness passes through: r=%d %x", r, p[0].revents);
    }
    close(pipefd[0]);
    close(pipefd[1]);

    /* Non-blocking DQBUF: EAGAIN when no frame is due (drain first, then ask at once). */
    {
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
        int r;
        while ((r = xioctl(fd, VIDIOC_DQBUF, &b)) == 0)
            requeue(&c, &b);
        CHECK(r == -EAGAIN, "non-blocking DQBUF -> EAGAIN, got %d", r);
        fcntl(fd, F_SETFL, fl);
        /* Blocking DQBUF waits for the next frame. */
        double b0 = now_s();
        CHECK(xioctl(fd, VIDIOC_DQBUF, &b) == 0, "blocking DQBUF");
        CHECK(now_s() - b0 < 0.2, "blocking DQBUF returned within a frame interval");
        CHECK(xioctl(fd, VIDIOC_QBUF, &b) == 0, "QBUF again");
        CHECK(xioctl(fd, VIDIOC_QBUF, &b) == -EINVAL, "QBUF of a queued buffer -> EINVAL");
    }

    /* Controls. */
    int nctrl = 0, saw_class = 0;
    uint32_t lastid = 0;
    for (struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };
         xioctl(fd, VIDIOC_QUERYCTRL, &q) == 0; q.id |= V4L2_CTRL_FLAG_NEXT_CTRL) {
        CHECK(q.id > lastid, "ids ascending");
        lastid = q.id;
        nctrl++;
        if (q.type == V4L2_CTRL_TYPE_CTRL_CLASS) {
            saw_class++;
            CHECK(q.flags == (V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_WRITE_ONLY), "class flags");
        }
    }
    CHECK(nctrl == 14 && saw_class == 2, "14 controls incl. 2 classes, got %d/%d", nctrl, saw_class);
    struct v4l2_queryctrl q = { .id = V4L2_CID_WHITE_BALANCE_TEMPERATURE };
    CHECK(xioctl(fd, VIDIOC_QUERYCTRL, &q) == 0 && (q.flags & V4L2_CTRL_FLAG_INACTIVE) && q.step == 10,
          "wb temperature inactive while auto");
    struct v4l2_control ctl = { .id = V4L2_CID_BRIGHTNESS, .value = 500 };
    CHECK(xioctl(fd, VIDIOC_S_CTRL, &ctl) == 0 && ctl.value == 64, "brightness 500 clamped to 64: %d", ctl.value);
    ctl = (struct v4l2_control){ .id = V4L2_CID_BRIGHTNESS, .value = 10 };
    CHECK(xioctl(fd, VIDIOC_S_CTRL, &ctl) == 0, "brightness 10");
    ctl = (struct v4l2_control){ .id = V4L2_CID_BRIGHTNESS };
    CHECK(xioctl(fd, VIDIOC_G_CTRL, &ctl) == 0 && ctl.value == 10, "G_CTRL brightness 10: %d", ctl.value);
    ctl = (struct v4l2_control){ .id = V4L2_CID_FOCUS_ABSOLUTE, .value = 13 };
    CHECK(xioctl(fd, VIDIOC_S_CTRL, &ctl) == 0 && ctl.value == 15, "focus 13 rounds to 15: %d", ctl.value);
    ctl = (struct v4l2_control){ .id = V4L2_CID_WHITE_BALANCE_TEMPERATURE, .value = 4604 };
    CHECK(xioctl(fd, VIDIOC_S_CTRL, &ctl) == 0 && ctl.value == 4600, "wb temp 4604 rounds to 4600: %d", ctl.value);
    ctl = (struct v4l2_control){ .id = V4L2_CID_EXPOSURE_AUTO, .value = 2 };
    CHECK(xioctl(fd, VIDIOC_S_CTRL, &ctl) == -EINVAL, "exposure_auto 2 -> EINVAL");
    ctl = (struct v4l2_control){ .id = V4L2_CID_EXPOSURE_AUTO, .value = 1 };
    CHECK(xioctl(fd, VIDIOC_S_CTRL, &ctl) == 0, "exposure_auto manual");
    q = (struct v4l2_queryctrl){ .id = V4L2_CID_EXPOSURE_ABSOLUTE };
    CHECK(xioctl(fd, VIDIOC_QUERYCTRL, &q) == 0 && !(q.flags & V4L2_CTRL_FLAG_INACTIVE), "exposure abs active");
    ctl = (struct v4l2_control){ .id = 0x00980999, .value = 1 };
    CHECK(xioctl(fd, VIDIOC_S_CTRL, &ctl) == -EINVAL, "unknown control -> EINVAL");
    ctl = (struct v4l2_control){ .id = V4L2_CID_CAMERA_CLASS, .value = 1 };
    CHECK(xioctl(fd, VIDIOC_S_CTRL, &ctl) == -EACCES, "class control -> EACCES");
    struct v4l2_querymenu m = { .id = V4L2_CID_EXPOSURE_AUTO, .index = 3 };
    CHECK(xioctl(fd, VIDIOC_QUERYMENU, &m) == 0 && strcmp((char *)m.name, "Aperture Priority Mode") == 0,
          "QUERYMENU 3");
    m = (struct v4l2_querymenu){ .id = V4L2_CID_EXPOSURE_AUTO, .index = 0 };
    CHECK(xioctl(fd, VIDIOC_QUERYMENU, &m) == -EINVAL, "QUERYMENU 0 -> EINVAL");
    m = (struct v4l2_querymenu){ .id = V4L2_CID_EXPOSURE_AUTO, .index = 2 };
    CHECK(xioctl(fd, VIDIOC_QUERYMENU, &m) == -EINVAL, "QUERYMENU 2 -> EINVAL");
    struct v4l2_ext_control ec[2] = { { .id = V4L2_CID_CONTRAST, .value = 40 }, { .id = V4L2_CID_GAIN, .value = 7 } };
    struct v4l2_ext_controls cs = { .which = V4L2_CTRL_CLASS_USER, .count = 2, .controls = ec };
    CHECK(xioctl(fd, VIDIOC_S_EXT_CTRLS, &cs) == 0, "S_EXT_CTRLS");
    ec[0].value = ec[1].value = -1;
    CHECK(xioctl(fd, VIDIOC_G_EXT_CTRLS, &cs) == 0 && ec[0].value == 40 && ec[1].value == 7, "G_EXT_CTRLS");
    struct v4l2_ext_control ec2 = { .id = V4L2_CID_FOCUS_AUTO, .value = 0 };
    cs = (struct v4l2_ext_controls){ .which = V4L2_CTRL_CLASS_USER, .count = 1, .controls = &ec2 };
    CHECK(xioctl(fd, VIDIOC_S_EXT_CTRLS, &cs) == -EINVAL, "camera control in user class -> EINVAL");
    struct v4l2_jpegcompression jc;
    CHECK(xioctl(fd, VIDIOC_G_JPEGCOMP, &jc) == -ENOTTY, "G_JPEGCOMP -> ENOTTY");

    /* The next frame reports the new values. */
    {
        struct v4l2_buffer b;
        CHECK(next_frame(&c, &b, 2000) == 0, "frame after controls");
        struct jinfo j = inspect(c.mem[b.index], b.bytesused);
        CHECK(com_value(j.com, "brightness") == 10 && com_value(j.com, "contrast") == 40 &&
                  com_value(j.com, "gain") == 7 && com_value(j.com, "focus_abs") == 15 &&
                  com_value(j.com, "exposure_auto") == 1,
              "COM has the control values: %s", j.com);
        requeue(&c, &b);
    }

    /* STREAMOFF, then REQBUFS 0 while mapped -> EBUSY; after munmap it works. */
    CHECK(xioctl(fd, VIDIOC_STREAMOFF, &type) == 0, "STREAMOFF");
    {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        CHECK(f_poll(&p, 1, 0) == 1 && p.revents == POLLERR, "poll when not streaming -> POLLERR");
    }
    struct v4l2_requestbuffers rb0 = { .count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
    CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb0) == -EBUSY, "REQBUFS 0 while mapped -> EBUSY");
    for (unsigned i = 0; i < c.n; i++)
        CHECK(f_munmap(c.mem[i], c.len[i]) == 0, "munmap");
    CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb0) == 0, "REQBUFS 0 after munmap");
    struct v4l2_requestbuffers ru = { .count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_USERPTR };
    CHECK(xioctl(fd, VIDIOC_REQBUFS, &ru) == -EINVAL, "USERPTR -> EINVAL");

    /* YUYV 640x480. */
    c.n = 0;
    CHECK(set_format(fd, 640, 480, V4L2_PIX_FMT_YUYV, 30) == 0, "YUYV format");
    CHECK(start(&c, 2) == 0, "YUYV start");
    {
        struct v4l2_buffer b;
        CHECK(next_frame(&c, &b, 2000) == 0 && b.bytesused == 640 * 480 * 2, "YUYV bytesused %u", b.bytesused);
        const unsigned char *px = c.mem[b.index];
        CHECK(px[0] == 235 && px[1] == 128, "YUYV first pixel is white: %u %u", px[0], px[1]);
    }
    /* Buffers and mappings survive close like kernel ones: the mapping stays readable. */
    volatile unsigned char *keep = c.mem[0];
    unsigned char before = keep[0];
    f_close(fd);
    CHECK(keep[0] == before && before == 235, "mapping still readable after close (a crash here fails the scenario)");
    for (unsigned i = 0; i < c.n; i++)
        f_munmap(c.mem[i], c.len[i]);

    /* Settings persist across close/open while plugged. */
    fd = f_open(dev, O_RDWR);
    ctl = (struct v4l2_control){ .id = V4L2_CID_BRIGHTNESS };
    CHECK(xioctl(fd, VIDIOC_G_CTRL, &ctl) == 0 && ctl.value == 10, "brightness persists across reopen: %d",
          ctl.value);
    f_close(fd);

    /* The metadata node. */
    fd = f_open(meta, O_RDWR);
    CHECK(fd >= 0, "open meta");
    CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0 &&
              cap.device_caps == (V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING) && strcmp((char *)cap.card, "Fake Camera 1") == 0,
          "meta caps %x", cap.device_caps);
    fd0 = (struct v4l2_fmtdesc){ .index = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    CHECK(xioctl(fd, VIDIOC_ENUM_FMT, &fd0) == -EINVAL, "meta ENUM_FMT video -> EINVAL");
    f_close(fd);

    /* Passthrough of ordinary files. */
    fd = f_open("/proc/self/stat", O_RDONLY);
    CHECK(fd >= 0, "open of an ordinary file");
    CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == -ENOTTY, "ioctl on an ordinary file reaches the kernel");
    f_close(fd);
}

static void scenario_unplug(void)
{
    char dev[300];
    path_of(dev, sizeof dev, "video0");
    setenv("FAKECAM_DEVICES", dev, 1);
    setenv("FAKECAM_UNPLUG_AFTER_FRAMES", "5", 1);
    setenv("FAKECAM_REPLUG_AFTER_MS", "300", 1);
    load();
    int fd = f_open(dev, O_RDWR);
    CHECK(fd >= 0, "open");
    struct v4l2_control ctl = { .id = V4L2_CID_SATURATION, .value = 3 };
    CHECK(xioctl(fd, VIDIOC_S_CTRL, &ctl) == 0, "set saturation");
    struct cap c = { .fd = fd };
    CHECK(start(&c, 3) == 0, "start");
    struct v4l2_buffer b;
    for (int k = 0; k < 5; k++) {
        CHECK(next_frame(&c, &b, 2000) == 0, "frame %d", k);
        requeue(&c, &b);
    }
    struct stat st;
    CHECK(stat(dev, &st) != 0 && errno == ENOENT, "device file gone after unplug");
    struct v4l2_capability cap;
    CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == -ENODEV, "ioctl -> ENODEV");
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };
    CHECK(f_poll(&p, 1, 100) == 1 && p.revents == (POLLERR | POLLHUP | POLLPRI), "poll after unplug: %x", p.revents);
    {
        fd_set rd, wr, ex;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        FD_SET(fd, &rd);
        FD_SET(fd, &wr);
        FD_SET(fd, &ex);
        struct timeval tv = { 1, 0 };
        int r = f_select(fd + 1, &rd, &wr, &ex, &tv);
        CHECK(r == 3 && FD_ISSET(fd, &rd) && FD_ISSET(fd, &wr) && FD_ISSET(fd, &ex),
              "select after unplug: readable, writable and exceptional, r=%d", r);
    }
    CHECK(f_mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == ENODEV, "mmap -> ENODEV");
    CHECK(f_open(dev, O_RDWR) < 0 && errno == ENOENT, "open -> ENOENT");
    for (unsigned i = 0; i < c.n; i++)
        f_munmap(c.mem[i], c.len[i]);
    CHECK(f_close(fd) == 0, "close works");
    double t0 = now_s();
    while (stat(dev, &st) != 0 && now_s() - t0 < 3)
        usleep(10000);
    double back = now_s() - t0;
    CHECK(back > 0.2 && back < 1.0, "device back after ~300 ms (%.2f s)", back);
    fd = f_open(dev, O_RDWR);
    CHECK(fd >= 0, "open after replug");
    ctl = (struct v4l2_control){ .id = V4L2_CID_SATURATION };
    CHECK(xioctl(fd, VIDIOC_G_CTRL, &ctl) == 0 && ctl.value == 64, "controls reset after replug: %d", ctl.value);
    c = (struct cap){ .fd = fd };
    CHECK(start(&c, 2) == 0, "stream after replug");
    CHECK(next_frame(&c, &b, 2000) == 0, "frame after replug");
    requeue(&c, &b);
    CHECK(next_frame(&c, &b, 2000) == 0, "the unplug does not happen twice");
    stop(&c);
    f_close(fd);
}

static void scenario_unplug_every(void)
{
    char dev[300];
    path_of(dev, sizeof dev, "video0");
    setenv("FAKECAM_DEVICES", dev, 1);
    setenv("FAKECAM_UNPLUG_EVERY_FRAMES", "3", 1);
    setenv("FAKECAM_REPLUG_AFTER_MS", "100", 1);
    load();
    for (int cycle = 0; cycle < 4; cycle++) {
        struct stat st;
        double t0 = now_s();
        while (stat(dev, &st) != 0 && now_s() - t0 < 3)
            usleep(5000);
        int fd = f_open(dev, O_RDWR);
        CHECK(fd >= 0, "cycle %d: open", cycle);
        struct cap c = { .fd = fd };
        CHECK(start(&c, 2) == 0, "cycle %d: start", cycle);
        struct v4l2_buffer b;
        for (int k = 0; k < 3; k++) {
            CHECK(next_frame(&c, &b, 2000) == 0, "cycle %d: frame %d", cycle, k);
            if (k < 2)
                CHECK(stat(dev, &st) == 0, "cycle %d: still plugged after frame %d", cycle, k);
            requeue(&c, &b);
        }
        CHECK(stat(dev, &st) != 0 && errno == ENOENT, "cycle %d: unplugged after 3 frames", cycle);
        struct v4l2_capability cap;
        CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == -ENODEV, "cycle %d: ioctl -> ENODEV", cycle);
        for (unsigned i = 0; i < c.n; i++)
            f_munmap(c.mem[i], c.len[i]);
        CHECK(f_close(fd) == 0, "cycle %d: close", cycle);
        t0 = now_s();
        while (stat(dev, &st) != 0 && now_s() - t0 < 3)
            usleep(5000);
        double back = now_s() - t0;
        CHECK(back > 0.03 && back < 1.0, "cycle %d: device back after ~100 ms (%.2f s)", cycle, back);
    }
}

static void scenario_busy(void)
{
    char dev[300], busy[300];
    path_of(dev, sizeof dev, "video0");
    path_of(busy, sizeof busy, "busy");
    setenv("FAKECAM_DEVICES", dev, 1);
    setenv("FAKECAM_BUSY_FILE", busy, 1);
    load();
    FILE *f = fopen(busy, "w");
    fclose(f);
    CHECK(f_open(dev, O_RDWR) < 0 && errno == EBUSY, "open while busy file exists -> EBUSY");
    unlink(busy);
    int fd = f_open(dev, O_RDWR);
    CHECK(fd >= 0, "open after the busy file is removed");
    f_close(fd);
}

static void *blocking_dqbuf(void *arg)
{
    struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
    return (void *)(intptr_t)xioctl(*(int *)arg, VIDIOC_DQBUF, &b);
}

static void scenario_stall(void)
{
    char dev[300];
    path_of(dev, sizeof dev, "video0");
    setenv("FAKECAM_DEVICES", dev, 1);
    setenv("FAKECAM_STALL_AFTER_FRAMES", "3", 1);
    load();
    int fd = f_open(dev, O_RDWR);
    struct cap c = { .fd = fd };
    CHECK(start(&c, 4) == 0, "start");
    struct v4l2_buffer b;
    for (int k = 0; k < 3; k++) {
        CHECK(next_frame(&c, &b, 2000) == 0, "frame %d before the stall", k);
        requeue(&c, &b);
    }
    CHECK(next_frame(&c, &b, 400) == 1, "poll times out after the stall");
    /* A DQBUF blocked on the stalled stream wakes with EINVAL when another thread stops streaming. */
    pthread_t th;
    CHECK(pthread_create(&th, NULL, blocking_dqbuf, &fd) == 0, "thread");
    usleep(200000);
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    CHECK(xioctl(fd, VIDIOC_STREAMOFF, &type) == 0, "STREAMOFF from another thread");
    void *res;
    pthread_join(th, &res);
    CHECK((intptr_t)res == -EINVAL, "blocked DQBUF returned %d", (int)(intptr_t)res);
    stop(&c);
    f_close(fd);
    fd = f_open(dev, O_RDWR);
    c = (struct cap){ .fd = fd };
    CHECK(start(&c, 4) == 0, "restart");
    for (int k = 0; k < 5; k++) {
        CHECK(next_frame(&c, &b, 2000) == 0, "frame %d after reopen", k);
        requeue(&c, &b);
    }
    stop(&c);
    f_close(fd);
}

/* FAKECAM_JPEG_SUBSAMP=422 gives 4:2:2 (Y 2x1, Cb/Cr 1x1); libjpeg-turbo's own TJ_RESTART=1 adds restart markers. */
static void scenario_jpeg_options(void)
{
    char dev[300];
    path_of(dev, sizeof dev, "video0");
    setenv("FAKECAM_DEVICES", dev, 1);
    setenv("FAKECAM_JPEG_SUBSAMP", "422", 1);
    setenv("TJ_RESTART", "1", 1);
    expected_subsamp = TJSAMP_422;
    load();
    int fd = f_open(dev, O_RDWR);
    struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    CHECK(xioctl(fd, VIDIOC_G_FMT, &f) == 0 && f.fmt.pix.pixelformat == V4L2_PIX_FMT_MJPEG, "G_FMT: MJPEG");
    struct cap c = { .fd = fd };
    CHECK(start(&c, 4) == 0, "start");
    for (int k = 0; k < 2; k++) {
        struct v4l2_buffer b;
        CHECK(next_frame(&c, &b, 2000) == 0, "frame %d", k);
        struct jinfo j = inspect(c.mem[b.index], b.bytesused);
        CHECK(j.ok && j.y_sampling == 0x21, "frame %d: 4:2:2 (Y sampling %02x)", k, j.y_sampling);
        CHECK(j.has_dri, "frame %d: a restart interval (TJ_RESTART)", k);
        CHECK(decodes(c.mem[b.index], b.bytesused, (int)f.fmt.pix.width, (int)f.fmt.pix.height) == 0, "frame %d decodes as 4:2:2", k);
        requeue(&c, &b);
    }
    stop(&c);
    f_close(fd);
}

/* A request as a program that declares it int passes it: sign-extended to 64 bits. */
static unsigned long as_int(unsigned long req) { return (unsigned long)(long)(int)(unsigned int)req; }

static void *write_later(void *arg)
{
    usleep(100000);
    if (write(*(int *)arg, "x", 1) != 1)
        return (void *)1;
    return NULL;
}

static void scenario_select(void)
{
    char dev[300];
    path_of(dev, sizeof dev, "video0");
    setenv("FAKECAM_DEVICES", dev, 1);
    load();
    int fd = f_open(dev, O_RDWR);
    CHECK(fd >= 0, "open");

    /* The kernel takes the request as 32 bits: a sign-extended one (as from `int request`) works the same. */
    CHECK(as_int(VIDIOC_QUERYCAP) >> 32 == 0xFFFFFFFFUL, "the test request is really sign-extended");
    struct v4l2_capability cap;
    CHECK(xioctl(fd, as_int(VIDIOC_QUERYCAP), &cap) == 0 && strcmp((char *)cap.driver, "fakecam") == 0,
          "QUERYCAP sign-extended");
    struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    f.fmt.pix.width = 1280;
    f.fmt.pix.height = 720;
    f.fmt.pix.pixelformat = V4L2_PIX_FMT_MJPEG;
    CHECK(xioctl(fd, as_int(VIDIOC_S_FMT), &f) == 0 && f.fmt.pix.width == 1280, "S_FMT sign-extended");
    struct v4l2_streamparm sp = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
    sp.parm.capture.timeperframe.numerator = 1;
    sp.parm.capture.timeperframe.denominator = 10;
    CHECK(xioctl(fd, as_int(VIDIOC_S_PARM), &sp) == 0 && sp.parm.capture.timeperframe.denominator == 10,
          "S_PARM sign-extended");
    int ofd = f_open("/proc/self/stat", O_RDONLY);
    CHECK(xioctl(ofd, as_int(VIDIOC_QUERYCAP), &cap) == -ENOTTY, "a sign-extended request on a real fd reaches the kernel");
    f_close(ofd);

    struct cap c = { .fd = fd };
    struct v4l2_requestbuffers rb = { .count = 3, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
    CHECK(xioctl(fd, as_int(VIDIOC_REQBUFS), &rb) == 0, "REQBUFS sign-extended");
    c.n = rb.count;
    for (unsigned i = 0; i < c.n; i++) {
        struct v4l2_buffer b = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
        CHECK(xioctl(fd, as_int(VIDIOC_QUERYBUF), &b) == 0, "QUERYBUF sign-extended");
        c.len[i] = b.length;
        c.mem[i] = f_mmap(NULL, b.length, PROT_READ, MAP_SHARED, fd, b.m.offset);
        CHECK(c.mem[i] != MAP_FAILED, "mmap");
        CHECK(xioctl(fd, as_int(VIDIOC_QBUF), &b) == 0, "QBUF sign-extended");
    }

    /* Not streaming yet: the kernel reports POLLERR, which select shows as readable and writable. */
    fd_set rd, wr, ex;
    struct timeval tv = { 0, 0 };
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    FD_SET(fd, &rd);
    FD_SET(fd, &wr);
    FD_SET(fd, &ex);
    int r = f_select(fd + 1, &rd, &wr, &ex, &tv);
    CHECK(r == 2 && FD_ISSET(fd, &rd) && FD_ISSET(fd, &wr) && !FD_ISSET(fd, &ex),
          "select before STREAMON: readable+writable (POLLERR), r=%d", r);

    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    CHECK(xioctl(fd, as_int(VIDIOC_STREAMON), &type) == 0, "STREAMON sign-extended");
    int pipefd[2];
    CHECK(pipe(pipefd) == 0, "pipe");
    int maxfd = (fd > pipefd[0] ? fd : pipefd[0]) + 1;

    /* Frames through select on a set mixing the device and a pipe, dequeued with the sign-extended DQBUF
       (0xFFFFFFFFC0585611). */
    uint32_t lastseq = 0;
    for (int k = 0; k < 5; k++) {
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        FD_SET(fd, &rd);
        FD_SET(pipefd[0], &rd);
        FD_SET(fd, &ex);
        tv = (struct timeval){ 2, 0 };
        r = f_select(maxfd, &rd, &wr, &ex, &tv);
        CHECK(r == 1 && FD_ISSET(fd, &rd) && !FD_ISSET(pipefd[0], &rd) && !FD_ISSET(fd, &ex),
              "select %d: the device is readable, r=%d", k, r);
        CHECK(tv.tv_sec < 2 || (tv.tv_sec == 2 && tv.tv_usec == 0), "the timeout was updated");
        struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
        CHECK(xioctl(fd, as_int(VIDIOC_DQBUF), &b) == 0 && b.bytesused > 0, "DQBUF sign-extended");
        struct jinfo j = inspect(c.mem[b.index], b.bytesused);
        CHECK(j.ok && j.w == 1280 && j.h == 720, "a 1280x720 JPEG");
        CHECK(k == 0 || b.sequence == lastseq + 1, "sequence %u after %u", b.sequence, lastseq);
        lastseq = b.sequence;
        CHECK(xioctl(fd, as_int(VIDIOC_QBUF), &b) == 0, "QBUF");
    }

    /* A capture device is never writable while streaming, and has no events: select on those sets times out, and
       the timeout is honoured (150 ms at 10 fps: at least one frame became due meanwhile). */
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    FD_SET(fd, &wr);
    FD_SET(fd, &ex);
    tv = (struct timeval){ 0, 150000 };
    double t0 = now_s();
    r = f_select(fd + 1, &rd, &wr, &ex, &tv);
    double el = now_s() - t0;
    CHECK(r == 0 && !FD_ISSET(fd, &wr) && !FD_ISSET(fd, &ex), "select for write/exception times out, r=%d", r);
    CHECK(el >= 0.145 && el < 1.0, "after the timeout: %.3f s", el);
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0, "no time left: %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);

    /* A frame is waiting by now: a zero timeout reports it at once. */
    FD_ZERO(&rd);
    FD_SET(fd, &rd);
    tv = (struct timeval){ 0, 0 };
    CHECK(f_select(fd + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(fd, &rd), "select with a zero timeout");

    /* Drain, then the pipe wakes a select that the device cannot satisfy (exception set only). */
    {
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
        while (xioctl(fd, as_int(VIDIOC_DQBUF), &b) == 0)
            xioctl(fd, VIDIOC_QBUF, &b);
        fcntl(fd, F_SETFL, fl);
    }
    pthread_t th;
    CHECK(pthread_create(&th, NULL, write_later, &pipefd[1]) == 0, "thread");
    FD_ZERO(&rd);
    FD_ZERO(&ex);
    FD_SET(pipefd[0], &rd);
    FD_SET(fd, &ex);
    tv = (struct timeval){ 3, 0 };
    t0 = now_s();
    r = f_select(maxfd, &rd, NULL, &ex, &tv);
    el = now_s() - t0;
    pthread_join(th, NULL);
    CHECK(r == 1 && FD_ISSET(pipefd[0], &rd) && !FD_ISSET(fd, &ex), "the pipe wakes select: r=%d", r);
    CHECK(el > 0.05 && el < 1.0, "woken by the pipe after %.3f s", el);
    char x;
    CHECK(read(pipefd[0], &x, 1) == 1, "read");

    /* Mixed: device readable and pipe readable together count 2. */
    CHECK(write(pipefd[1], "y", 1) == 1, "write");
    usleep(120000);
    FD_ZERO(&rd);
    FD_SET(fd, &rd);
    FD_SET(pipefd[0], &rd);
    tv = (struct timeval){ 1, 0 };
    r = f_select(maxfd, &rd, NULL, NULL, &tv);
    CHECK(r == 2 && FD_ISSET(fd, &rd) && FD_ISSET(pipefd[0], &rd), "both readable: r=%d", r);
    CHECK(read(pipefd[0], &x, 1) == 1, "read");

    /* Only real fds: the real select answers. */
    FD_ZERO(&rd);
    FD_SET(pipefd[0], &rd);
    tv = (struct timeval){ 0, 20000 };
    CHECK(f_select(pipefd[0] + 1, &rd, NULL, NULL, &tv) == 0 && !FD_ISSET(pipefd[0], &rd), "select on a pipe alone");

    /* pselect with a signal mask, and ppoll. */
    sigset_t none;
    sigemptyset(&none);
    FD_ZERO(&rd);
    FD_SET(fd, &rd);
    struct timespec ts = { 2, 0 };
    r = f_pselect(fd + 1, &rd, NULL, NULL, &ts, &none);
    CHECK(r == 1 && FD_ISSET(fd, &rd), "pselect: r=%d", r);
    CHECK(ts.tv_sec == 2 && ts.tv_nsec == 0, "pselect leaves its timeout alone");
    {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ts = (struct timespec){ 2, 0 };
        CHECK(f_ppoll(&p, 1, &ts, &none) == 1 && p.revents == POLLIN, "ppoll: %x", p.revents);
    }

    /* A closed fd in the sets: EBADF, as the kernel checks them all. */
    int bad = dup(pipefd[0]);
    close(bad);
    FD_ZERO(&rd);
    FD_SET(fd, &rd);
    FD_SET(bad, &rd);
    tv = (struct timeval){ 0, 0 };
    errno = 0;
    CHECK(f_select((fd > bad ? fd : bad) + 1, &rd, NULL, NULL, &tv) == -1 && errno == EBADF, "EBADF: %s",
          strerror(errno));

    /* Unplug-like errors are beyond this scenario; STREAMOFF makes the device readable and writable again. */
    CHECK(xioctl(fd, as_int(VIDIOC_STREAMOFF), &type) == 0, "STREAMOFF sign-extended");
    FD_ZERO(&rd);
    FD_SET(fd, &rd);
    tv = (struct timeval){ 0, 0 };
    CHECK(f_select(fd + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(fd, &rd), "select after STREAMOFF (POLLERR)");
    close(pipefd[0]);
    close(pipefd[1]);
    stop(&c);
    f_close(fd);
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void scenario_cpu(void)
{
    char dev[300];
    path_of(dev, sizeof dev, "video0");
    setenv("FAKECAM_DEVICES", dev, 1);
    load();
    int fd = f_open(dev, O_RDWR);
    struct cap c = { .fd = fd };
    CHECK(set_format(fd, 1920, 1080, V4L2_PIX_FMT_MJPEG, 30) == 0, "1080p30");
    double c0 = cpu_s(), w0 = now_s();
    CHECK(start(&c, 4) == 0, "start");
    struct v4l2_buffer b;
    CHECK(next_frame(&c, &b, 3000) == 0, "first frame");
    requeue(&c, &b);
    double c1 = cpu_s(), w1 = now_s();
    int n = 0;
    size_t bytes = 0;
    while (now_s() - w1 < 5) {
        if (next_frame(&c, &b, 2000) != 0)
            break;
        bytes += b.bytesused;
        n++;
        requeue(&c, &b);
    }
    double c2 = cpu_s(), w2 = now_s();
    printf("  1080p MJPEG: first use (pre-encoding %d pictures) %.2f s CPU, %.2f s wall\n", 12, c1 - c0, w1 - w0);
    printf("  1080p MJPEG steady: %d frames in %.2f s = %.1f fps, avg %zu bytes, CPU %.1f%% of one core\n", n, w2 - w1,
           n / (w2 - w1), n ? bytes / n : 0, 100 * (c2 - c1) / (w2 - w1));
    CHECK(n / (w2 - w1) > 27, "about 30 fps");
    CHECK((c2 - c1) / (w2 - w1) < 0.10, "steady CPU below 10%% of a core");
    stop(&c);
    f_close(fd);
}

static int run(const char *name, void (*fn)(void))
{
    snprintf(dir, sizeof dir, "/tmp/fakecam-selftest-%d-%s", getpid(), name);
    printf("%s\n", name);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        printf("  %d checks, %d failed\n", checks, failures);
        fflush(stdout);
        _exit(failures ? 1 : 0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("  (could not remove %s)\n", dir);
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (!ok)
        printf("  %s FAILED (status %d)\n", name, st);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        libpath = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0);
    int ok = 1;
    ok &= run("main", scenario_main);
    ok &= run("unplug", scenario_unplug);
    ok &= run("unplug_every", scenario_unplug_every);
    ok &= run("busy", scenario_busy);
    ok &= run("stall", scenario_stall);
    ok &= run("select", scenario_select);
    ok &= run("jpeg_options", scenario_jpeg_options);
    ok &= run("cpu", scenario_cpu);
    printf(ok ? "selftest: all scenarios passed\n" : "selftest: FAILURES\n");
    return ok ? 0 : 1;
}
