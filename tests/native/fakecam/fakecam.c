/*
 * libfakecam: a user-space stand-in for a UVC webcam behind the V4L2 API.
 *
 * The server binds open/close/ioctl/mmap/munmap/poll through a logical library name; in tests that name resolves to
 * this library (dlopen with RTLD_LOCAL, no LD_PRELOAD). File descriptors of the configured fake device paths are
 * handled here; every other call goes to the real libc functions, looked up explicitly so that name resolution order
 * does not matter. See docs/testing.md for the environment variables.
 *
 * One global mutex guards all state. Frames are produced lazily (in poll, DQBUF and most ioctls) when their due time
 * has passed, paced on CLOCK_MONOTONIC; only the replug timer uses a thread.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <turbojpeg.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

#define MAX_DEVICES 16
#define MAX_BUFFERS 8
#define JPEG_CYCLE 12
#define NSIZES 3
#define NIVALS 4

/* ---------- real libc ---------- */

typedef int (*open_fn)(const char *, int, ...);
typedef int (*close_fn)(int);
typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
typedef int (*munmap_fn)(void *, size_t);
typedef int (*poll_fn)(struct pollfd *, nfds_t, int);
typedef int (*ppoll_fn)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
typedef int (*select_fn)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
typedef int (*pselect_fn)(int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *);

static open_fn real_open;
static close_fn real_close;
static ioctl_fn real_ioctl;
static mmap_fn real_mmap;
static munmap_fn real_munmap;
static poll_fn real_poll;
static ppoll_fn real_ppoll;
static select_fn real_select;
static pselect_fn real_pselect;

static void *libc_sym(void *libc, const char *name)
{
    void *p = libc ? dlsym(libc, name) : NULL;
    if (!p)
        p = dlsym(RTLD_NEXT, name);
    if (!p) {
        fprintf(stderr, "fakecam: cannot find the real %s in libc\n", name);
        abort();
    }
    return p;
}

static void resolve_libc(void)
{
    /* An explicit handle to the already loaded libc: independent of how this library itself was loaded. */
    void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    real_open = (open_fn)libc_sym(libc, "open");
    real_close = (close_fn)libc_sym(libc, "close");
    real_ioctl = (ioctl_fn)libc_sym(libc, "ioctl");
    real_mmap = (mmap_fn)libc_sym(libc, "mmap");
    real_munmap = (munmap_fn)libc_sym(libc, "munmap");
    real_poll = (poll_fn)libc_sym(libc, "poll");
    real_ppoll = (ppoll_fn)libc_sym(libc, "ppoll");
    real_select = (select_fn)libc_sym(libc, "select");
    real_pselect = (pselect_fn)libc_sym(libc, "pselect");
}

/* ---------- formats ---------- */

static const struct { unsigned w, h; } sizes[NSIZES] = { { 640, 480 }, { 1280, 720 }, { 1920, 1080 } };
static const unsigned ival_den[NIVALS] = { 30, 15, 10, 5 }; /* intervals 1/den s */

/* ---------- controls ---------- */

enum {
    C_USER_CLASS, C_BRIGHTNESS, C_CONTRAST, C_SATURATION, C_WB_AUTO, C_GAIN, C_POWER_LINE, C_WB_TEMP, C_SHARPNESS,
    C_CAMERA_CLASS, C_EXPOSURE_AUTO, C_EXPOSURE_ABS, C_FOCUS_ABS, C_FOCUS_AUTO, NCTRLS
};

static const char *const power_line_menu[] = { "Disabled", "50 Hz", "60 Hz" };
static const char *const exposure_menu[] = { NULL, "Manual Mode", NULL, "Aperture Priority Mode" };

struct ctrl_def {
    uint32_t id;
    uint32_t type;
    const char *name;
    int32_t min, max, step, def;
    const char *const *menu; /* NULL entries are indices the menu does not have */
};

/* Sorted by id, as V4L2_CTRL_FLAG_NEXT_CTRL enumeration needs. */
static const struct ctrl_def ctrls[NCTRLS] = {
    [C_USER_CLASS] = { V4L2_CID_USER_CLASS, V4L2_CTRL_TYPE_CTRL_CLASS, "User Controls", 0, 0, 0, 0, NULL },
    [C_BRIGHTNESS] = { V4L2_CID_BRIGHTNESS, V4L2_CTRL_TYPE_INTEGER, "Brightness", -64, 64, 1, 0, NULL },
    [C_CONTRAST] = { V4L2_CID_CONTRAST, V4L2_CTRL_TYPE_INTEGER, "Contrast", 0, 95, 1, 32, NULL },
    [C_SATURATION] = { V4L2_CID_SATURATION, V4L2_CTRL_TYPE_INTEGER, "Saturation", 0, 100, 1, 64, NULL },
    [C_WB_AUTO] = { V4L2_CID_AUTO_WHITE_BALANCE, V4L2_CTRL_TYPE_BOOLEAN, "White Balance Temperature, Auto", 0, 1, 1, 1,
                    NULL },
    [C_GAIN] = { V4L2_CID_GAIN, V4L2_CTRL_TYPE_INTEGER, "Gain", 0, 100, 1, 0, NULL },
    [C_POWER_LINE] = { V4L2_CID_POWER_LINE_FREQUENCY, V4L2_CTRL_TYPE_MENU, "Power Line Frequency", 0, 2, 1, 1,
                       power_line_menu },
    [C_WB_TEMP] = { V4L2_CID_WHITE_BALANCE_TEMPERATURE, V4L2_CTRL_TYPE_INTEGER, "White Balance Temperature", 2800,
                    6500, 10, 4600, NULL },
    [C_SHARPNESS] = { V4L2_CID_SHARPNESS, V4L2_CTRL_TYPE_INTEGER, "Sharpness", 0, 7, 1, 3, NULL },
    [C_CAMERA_CLASS] = { V4L2_CID_CAMERA_CLASS, V4L2_CTRL_TYPE_CTRL_CLASS, "Camera Controls", 0, 0, 0, 0, NULL },
    [C_EXPOSURE_AUTO] = { V4L2_CID_EXPOSURE_AUTO, V4L2_CTRL_TYPE_MENU, "Exposure, Auto", 0, 3, 1, 3, exposure_menu },
    [C_EXPOSURE_ABS] = { V4L2_CID_EXPOSURE_ABSOLUTE, V4L2_CTRL_TYPE_INTEGER, "Exposure (Absolute)", 3, 2047, 1, 250,
                         NULL },
    [C_FOCUS_ABS] = { V4L2_CID_FOCUS_ABSOLUTE, V4L2_CTRL_TYPE_INTEGER, "Focus (absolute)", 0, 250, 5, 0, NULL },
    [C_FOCUS_AUTO] = { V4L2_CID_FOCUS_AUTO, V4L2_CTRL_TYPE_BOOLEAN, "Focus, Auto", 0, 1, 1, 1, NULL },
};

/* ---------- state ---------- */

enum bstate { B_DEQUEUED, B_QUEUED, B_DONE };

struct fbuf {
    unsigned char *mem; /* the library's own shared mapping of memfd; user mappings map the same memfd */
    int memfd;          /* the buffer's pages (a memfd, so mmap works under qemu-user too, unlike an mremap copy) */
    enum bstate state;
    uint64_t order; /* FIFO order in the queued or the done list */
    uint32_t bytesused;
    uint32_t sequence;
    int64_t ts_ns;
    int mapped; /* live user mappings */
};

struct device;

struct handle {
    struct handle *next;
    int fd;
    struct device *dev;
    unsigned gen; /* device generation at open: a replugged device is a new device */
    int closed;
    int waiters; /* threads blocked in DQBUF on this handle */
    struct fbuf bufs[MAX_BUFFERS];
    unsigned nbufs;
    size_t sizeimage, bufalloc;
    uint32_t fourcc;
    int size_idx;
    int streaming;
    uint32_t sequence;
    int64_t next_due;
    uint64_t order_ctr;
    uint64_t filled; /* frames filled into this handle's buffers */
    int stalled;
};

struct mapping {
    struct mapping *next;
    void *addr;
    size_t len;
    struct handle *h;
    unsigned index;
};

struct device {
    char path[PATH_MAX];
    char real[PATH_MAX];
    int index;
    int meta;
    int plugged;
    unsigned gen;
    uint32_t fourcc;
    int size_idx;
    int ival_idx;
    int32_t val[NCTRLS];
    struct handle *owner; /* the handle that owns the buffer queue */
    uint64_t frames;      /* frames filled on this device since load (frame=N in the COM segment) */
};

struct jpeg_set {
    int ready;
    unsigned char *with_dht[JPEG_CYCLE]; /* JPEG bytes after SOI */
    size_t with_dht_len[JPEG_CYCLE];
    unsigned char *no_dht[JPEG_CYCLE];
    size_t no_dht_len[JPEG_CYCLE];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake; /* CLOCK_MONOTONIC; broadcast on QBUF, STREAMOFF, close, unplug */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static struct device devices[MAX_DEVICES];
static int ndevices;
static struct handle *handles;
static int nhandles;
static struct mapping *mappings;
static struct jpeg_set jpegs[NSIZES];
static unsigned char *yuyv_base[NSIZES];
static long page_size;

static int log_enabled;
static const char *busy_file;
static int jpeg_subsamp = TJSAMP_420; /* FAKECAM_JPEG_SUBSAMP */
static long unplug_after = -1, unplug_every = -1, replug_after_ms = -1, stall_after = -1, hang_after = -1;
static int unplug_done, stall_done;
static uint64_t delivered_total; /* frames dequeued from any fake device (unplug counter) */
static uint64_t delivered_since_plug; /* frames dequeued since the last (re)plug (repeating unplug counter) */
static unsigned long unplugs; /* unplugs so far (FAKECAM_LOG) */

#define LOG(...)                                                                                                       \
    do {                                                                                                               \
        if (log_enabled)                                                                                               \
            fprintf(stderr, "fakecam: " __VA_ARGS__);                                                                  \
    } while (0)

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long env_long(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return -1;
    char *end;
    long n = strtol(v, &end, 10);
    return (*end || n < 0) ? -1 : n;
}

static void mkdir_p(const char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0777);
            *p = '/';
        }
    }
    mkdir(tmp, 0777);
}

static int create_device_file(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = 0;
        mkdir_p(dir);
    }
    int fd = real_open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    real_close(fd);
    return 0;
}

static void reset_device_settings(struct device *d)
{
    d->fourcc = V4L2_PIX_FMT_MJPEG;
    d->size_idx = 0;
    d->ival_idx = 0;
    for (int i = 0; i < NCTRLS; i++)
        d->val[i] = ctrls[i].def;
}

static void do_init(void)
{
    resolve_libc();
    page_size = sysconf(_SC_PAGESIZE);

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&wake, &ca);
    pthread_condattr_destroy(&ca);

    const char *l = getenv("FAKECAM_LOG");
    log_enabled = l && strcmp(l, "1") == 0;
    busy_file = getenv("FAKECAM_BUSY_FILE");
    if (busy_file && !*busy_file)
        busy_file = NULL;
    unplug_after = env_long("FAKECAM_UNPLUG_AFTER_FRAMES");
    unplug_every = env_long("FAKECAM_UNPLUG_EVERY_FRAMES");
    replug_after_ms = env_long("FAKECAM_REPLUG_AFTER_MS");
    stall_after = env_long("FAKECAM_STALL_AFTER_FRAMES");
    hang_after = env_long("FAKECAM_HANG_AFTER_FRAMES");
    const char *sub = getenv("FAKECAM_JPEG_SUBSAMP");
    if (sub && strcmp(sub, "422") == 0)
        jpeg_subsamp = TJSAMP_422;
    else if (sub && *sub && strcmp(sub, "420") != 0)
        fprintf(stderr, "fakecam: FAKECAM_JPEG_SUBSAMP=%s is not 420 or 422: using 420\n", sub);

    const char *list = getenv("FAKECAM_DEVICES");
    if (!list || !*list)
        list = "/tmp/fakecam/video0";
    char *copy = strdup(list), *save = NULL;
    for (char *p = strtok_r(copy, ":", &save); p && ndevices < MAX_DEVICES; p = strtok_r(NULL, ":", &save)) {
        struct device *d = &devices[ndevices];
        snprintf(d->path, sizeof d->path, "%s", p);
        if (create_device_file(d->path) < 0 || !realpath(d->path, d->real)) {
            fprintf(stderr, "fakecam: cannot create device file %s: %s\n", d->path, strerror(errno));
            continue;
        }
        d->index = ndevices;
        d->plugged = 1;
        d->gen = 1;
        reset_device_settings(d);
        ndevices++;
    }
    free(copy);

    const char *meta = getenv("FAKECAM_META_DEVICES");
    if (meta && *meta) {
        copy = strdup(meta);
        save = NULL;
        for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
            char rp[PATH_MAX];
            if (!realpath(p, rp))
                continue;
            for (int i = 0; i < ndevices; i++)
                if (strcmp(devices[i].real, rp) == 0)
                    devices[i].meta = 1;
        }
        free(copy);
    }
}

static inline void ensure_init(void) { pthread_once(&init_once, do_init); }

__attribute__((constructor)) static void fakecam_load(void) { ensure_init(); }

static struct handle *find_handle(int fd)
{
    for (struct handle *h = handles; h; h = h->next)
        if (h->fd == fd)
            return h;
    return NULL;
}

static int handle_alive(const struct handle *h) { return h->dev->plugged && h->dev->gen == h->gen; }

/* ---------- frame content ---------- */

static void fill_yuv420_picture(unsigned char *y, unsigned char *u, unsigned char *v, unsigned w, unsigned h, int n)
{
    /* Eight vertical colour bars (Y, U, V), a white bar moving with the cycle index and a dark strip whose length
       grows with it, so consecutive pictures differ visibly. */
    static const unsigned char bars[8][3] = { { 235, 128, 128 }, { 210, 16, 146 }, { 170, 166, 16 }, { 145, 54, 34 },
                                              { 106, 202, 222 }, { 81, 90, 240 },  { 41, 240, 110 }, { 16, 128, 128 } };
    unsigned cw = (w + 1) / 2, ch = (h + 1) / 2;
    unsigned barx = (unsigned)((uint64_t)w * (unsigned)n / JPEG_CYCLE), barw = w / 24;
    for (unsigned r = 0; r < h; r++)
        for (unsigned c = 0; c < w; c++) {
            unsigned char val = bars[c * 8 / w][0];
            if (c >= barx && c < barx + barw)
                val = 235;
            if (r >= h * 7 / 8 && c < w * (unsigned)(n + 1) / JPEG_CYCLE)
                val = 40;
            y[(size_t)r * w + c] = val;
        }
    for (unsigned r = 0; r < ch; r++)
        for (unsigned c = 0; c < cw; c++) {
            unsigned x = c * 2;
            int grey = (x >= barx && x < barx + barw) || (r * 2 >= h * 7 / 8 && x < w * (unsigned)(n + 1) / JPEG_CYCLE);
            u[(size_t)r * cw + c] = grey ? 128 : bars[x * 8 / w][1];
            v[(size_t)r * cw + c] = grey ? 128 : bars[x * 8 / w][2];
        }
}

/* Copies a JPEG's bytes after SOI, leaving out DHT segments when strip_dht is set. */
static size_t copy_segments(const unsigned char *src, size_t len, unsigned char *dst, int strip_dht)
{
    size_t i = 2, o = 0;
    while (i + 4 <= len) {
        if (src[i] != 0xFF)
            break;
        unsigned char m = src[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xDA)
            break; /* SOS: the rest is scan data up to EOI */
        size_t seg = 2 + ((size_t)src[i + 2] << 8 | src[i + 3]);
        if (!(strip_dht && m == 0xC4)) {
            memcpy(dst + o, src + i, seg);
            o += seg;
        }
        i += seg;
    }
    memcpy(dst + o, src + i, len - i);
    return o + len - i;
}

static int prepare_jpegs(int si)
{
    struct jpeg_set *js = &jpegs[si];
    if (js->ready)
        return 0;
    unsigned w = sizes[si].w, h = sizes[si].h, cw = (w + 1) / 2, ch = (h + 1) / 2;
    unsigned char *y = malloc((size_t)w * h), *u = malloc((size_t)cw * ch), *v = malloc((size_t)cw * ch);
    /* 4:2:2 (FAKECAM_JPEG_SUBSAMP=422): the same picture with each chroma row doubled. */
    int s422 = jpeg_subsamp == TJSAMP_422;
    unsigned char *u2 = s422 ? malloc((size_t)cw * h) : NULL, *v2 = s422 ? malloc((size_t)cw * h) : NULL;
    tjhandle tj = tjInitCompress();
    int rc = (y && u && v && tj && (!s422 || (u2 && v2))) ? 0 : -1;
    for (int n = 0; n < JPEG_CYCLE && rc == 0; n++) {
        fill_yuv420_picture(y, u, v, w, h, n);
        const unsigned char *planes[3] = { y, u, v };
        if (s422) {
            for (unsigned r = 0; r < h; r++) {
                memcpy(u2 + (size_t)r * cw, u + (size_t)(r / 2) * cw, cw);
                memcpy(v2 + (size_t)r * cw, v + (size_t)(r / 2) * cw, cw);
            }
            planes[1] = u2;
            planes[2] = v2;
        }
        unsigned char *jpeg = NULL;
        unsigned long jlen = 0;
        if (tjCompressFromYUVPlanes(tj, planes, (int)w, NULL, (int)h, jpeg_subsamp, &jpeg, &jlen, 75, 0) != 0) {
            fprintf(stderr, "fakecam: JPEG encoding failed: %s\n", tjGetErrorStr2(tj));
            rc = -1;
            break;
        }
        js->with_dht[n] = malloc(jlen);
        js->no_dht[n] = malloc(jlen);
        js->with_dht_len[n] = copy_segments(jpeg, jlen, js->with_dht[n], 0);
        js->no_dht_len[n] = copy_segments(jpeg, jlen, js->no_dht[n], 1);
        tjFree(jpeg);
    }
    if (tj)
        tjDestroy(tj);
    free(y);
    free(u);
    free(v);
    free(u2);
    free(v2);
    js->ready = rc == 0;
    return rc;
}

static int prepare_yuyv(int si)
{
    if (yuyv_base[si])
        return 0;
    unsigned w = sizes[si].w, h = sizes[si].h;
    unsigned char *img = malloc((size_t)w * h * 2);
    if (!img)
        return -1;
    static const unsigned char bars[8][3] = { { 235, 128, 128 }, { 210, 16, 146 }, { 170, 166, 16 }, { 145, 54, 34 },
                                              { 106, 202, 222 }, { 81, 90, 240 },  { 41, 240, 110 }, { 16, 128, 128 } };
    for (unsigned r = 0; r < h; r++)
        for (unsigned c = 0; c < w; c += 2) {
            const unsigned char *b = bars[c * 8 / w];
            unsigned char *p = img + ((size_t)r * w + c) * 2;
            p[0] = b[0];
            p[1] = b[1];
            p[2] = b[0];
            p[3] = b[2];
        }
    yuyv_base[si] = img;
    return 0;
}

static size_t make_frame(struct handle *h, unsigned char *dst, uint64_t n)
{
    struct device *d = h->dev;
    unsigned w = sizes[h->size_idx].w, ht = sizes[h->size_idx].h;
    if (h->fourcc == V4L2_PIX_FMT_YUYV) {
        size_t len = (size_t)w * ht * 2;
        memcpy(dst, yuyv_base[h->size_idx], len);
        /* A grey block sliding along the middle band, one step per frame. */
        unsigned bw = w / 16, x0 = (unsigned)((n * 8) % (w - bw)) & ~1u;
        for (unsigned r = ht * 3 / 8; r < ht * 5 / 8; r++) {
            unsigned char *p = dst + ((size_t)r * w + x0) * 2;
            for (unsigned c = 0; c < bw; c++) {
                p[c * 2] = 128;
                p[c * 2 + 1] = 128;
            }
        }
        return len;
    }
    struct jpeg_set *js = &jpegs[h->size_idx];
    int k = (int)(n % JPEG_CYCLE);
    int odd = n & 1;
    char text[512];
    int tl = snprintf(text, sizeof text,
                      "FAKECAM frame=%llu size=%ux%u fourcc=MJPG brightness=%d contrast=%d saturation=%d gain=%d "
                      "sharpness=%d wb_auto=%d wb_temp=%d power_line=%d exposure_auto=%d exposure_abs=%d "
                      "focus_auto=%d focus_abs=%d",
                      (unsigned long long)n, w, ht, d->val[C_BRIGHTNESS], d->val[C_CONTRAST], d->val[C_SATURATION],
                      d->val[C_GAIN], d->val[C_SHARPNESS], d->val[C_WB_AUTO], d->val[C_WB_TEMP], d->val[C_POWER_LINE],
                      d->val[C_EXPOSURE_AUTO], d->val[C_EXPOSURE_ABS], d->val[C_FOCUS_AUTO], d->val[C_FOCUS_ABS]);
    size_t o = 0;
    dst[o++] = 0xFF;
    dst[o++] = 0xD8;
    dst[o++] = 0xFF;
    dst[o++] = 0xFE;
    dst[o++] = (unsigned char)((tl + 2) >> 8);
    dst[o++] = (unsigned char)(tl + 2);
    memcpy(dst + o, text, (size_t)tl);
    o += (size_t)tl;
    const unsigned char *body = odd ? js->no_dht[k] : js->with_dht[k];
    size_t blen = odd ? js->no_dht_len[k] : js->with_dht_len[k];
    if (o + blen > h->sizeimage)
        return 0; /* cannot happen at these sizes and quality; an empty frame is the visible symptom */
    memcpy(dst + o, body, blen);
    return o + blen;
}

static void produce(struct handle *h, int64_t now)
{
    if (!h->streaming || h->stalled || h->closed || !handle_alive(h))
        return;
    int64_t interval = 1000000000LL / ival_den[h->dev->ival_idx];
    while (now >= h->next_due) {
        if (stall_after >= 0 && !stall_done && h->filled >= (uint64_t)stall_after) {
            stall_done = 1;
            h->stalled = 1;
            LOG("stall on %s fd=%d after %llu frames\n", h->dev->path, h->fd, (unsigned long long)h->filled);
            return;
        }
        struct fbuf *b = NULL;
        for (unsigned i = 0; i < h->nbufs; i++)
            if (h->bufs[i].state == B_QUEUED && (!b || h->bufs[i].order < b->order))
                b = &h->bufs[i];
        if (!b) {
            /* Nothing queued: the camera's frames are lost, but their sequence numbers are used. */
            int64_t missed = (now - h->next_due) / interval + 1;
            h->sequence += (uint32_t)missed;
            h->next_due += missed * interval;
            break;
        }
        uint64_t n = ++h->dev->frames;
        b->bytesused = (uint32_t)make_frame(h, b->mem, n);
        b->sequence = h->sequence++;
        b->ts_ns = h->next_due;
        b->state = B_DONE;
        b->order = ++h->order_ctr;
        h->next_due += interval;
        h->filled++;
    }
}

/* ---------- buffers ---------- */

static void release_buffers(struct handle *h)
{
    for (struct mapping **pm = &mappings; *pm;) {
        if ((*pm)->h == h) {
            /* The user's mapping stays valid (it shares the pages); it simply is no longer tracked. */
            struct mapping *m = *pm;
            *pm = m->next;
            free(m);
        } else
            pm = &(*pm)->next;
    }
    for (unsigned i = 0; i < h->nbufs; i++) {
        real_munmap(h->bufs[i].mem, h->bufalloc);
        close(h->bufs[i].memfd);
    }
    memset(h->bufs, 0, sizeof h->bufs);
    h->nbufs = 0;
    h->streaming = 0;
    if (h->dev->owner == h)
        h->dev->owner = NULL;
}

static void fill_v4l2_buffer(struct handle *h, unsigned i, struct v4l2_buffer *vb)
{
    struct fbuf *b = &h->bufs[i];
    uint32_t type = vb->type;
    memset(vb, 0, sizeof *vb);
    vb->index = i;
    vb->type = type;
    vb->memory = V4L2_MEMORY_MMAP;
    vb->m.offset = (uint32_t)(i * h->bufalloc);
    vb->length = (uint32_t)h->sizeimage;
    vb->field = V4L2_FIELD_NONE;
    vb->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | V4L2_BUF_FLAG_TSTAMP_SRC_SOE;
    if (b->mapped)
        vb->flags |= V4L2_BUF_FLAG_MAPPED;
    if (b->state == B_QUEUED)
        vb->flags |= V4L2_BUF_FLAG_QUEUED;
    if (b->state == B_DONE) {
        vb->flags |= V4L2_BUF_FLAG_DONE;
        vb->bytesused = b->bytesused;
        vb->sequence = b->sequence;
        vb->timestamp.tv_sec = b->ts_ns / 1000000000LL;
        vb->timestamp.tv_usec = (b->ts_ns % 1000000000LL) / 1000;
    }
}

/* ---------- unplug / replug ---------- */

static void *replug_thread(void *arg)
{
    struct device *d = arg;
    struct timespec ts = { replug_after_ms / 1000, (replug_after_ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    pthread_mutex_lock(&lock);
    if (create_device_file(d->path) == 0) {
        d->plugged = 1;
        delivered_since_plug = 0;
        LOG("replug %s\n", d->path);
    } else {
        fprintf(stderr, "fakecam: replug of %s failed: %s\n", d->path, strerror(errno));
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void unplug(struct device *d)
{
    d->plugged = 0;
    d->gen++;
    d->owner = NULL; /* the old handles keep their buffers until they are closed */
    reset_device_settings(d);
    unlink(d->real);
    unplugs++;
    LOG("unplug %s (%lu)\n", d->path, unplugs);
    pthread_cond_broadcast(&wake);
    if (replug_after_ms >= 0) {
        pthread_t t;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &a, replug_thread, d) != 0)
            fprintf(stderr, "fakecam: cannot start the replug timer\n");
        pthread_attr_destroy(&a);
    }
}

/* ---------- ioctls ---------- */

static int size_index(unsigned w, unsigned h)
{
    int best = 0;
    long bestd = LONG_MAX;
    for (int i = 0; i < NSIZES; i++) {
        long d = labs((long)w - (long)sizes[i].w) + labs((long)h - (long)sizes[i].h);
        if (d < bestd) {
            bestd = d;
            best = i;
        }
    }
    return best;
}

static void fill_pix_format(struct v4l2_format *f, uint32_t fourcc, int si)
{
    uint32_t type = f->type;
    memset(&f->fmt, 0, sizeof f->fmt);
    f->type = type;
    struct v4l2_pix_format *p = &f->fmt.pix;
    p->width = sizes[si].w;
    p->height = sizes[si].h;
    p->pixelformat = fourcc;
    p->field = V4L2_FIELD_NONE;
    p->bytesperline = fourcc == V4L2_PIX_FMT_YUYV ? sizes[si].w * 2 : 0;
    p->sizeimage = sizes[si].w * sizes[si].h * 2;
    p->colorspace = V4L2_COLORSPACE_SRGB;
}

static int fmt_ioctl(struct handle *h, unsigned int req, struct v4l2_format *f)
{
    struct device *d = h->dev;
    if (d->meta) {
        if (f->type != V4L2_BUF_TYPE_META_CAPTURE)
            return -EINVAL;
        uint32_t type = f->type;
        memset(&f->fmt, 0, sizeof f->fmt);
        f->type = type;
        f->fmt.meta.dataformat = V4L2_META_FMT_UVC;
        f->fmt.meta.buffersize = 10240;
        return 0;
    }
    if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
        return -EINVAL;
    if (req == VIDIOC_G_FMT) {
        fill_pix_format(f, d->fourcc, d->size_idx);
        return 0;
    }
    uint32_t fourcc = f->fmt.pix.pixelformat;
    if (fourcc != V4L2_PIX_FMT_MJPEG && fourcc != V4L2_PIX_FMT_YUYV)
        fourcc = V4L2_PIX_FMT_MJPEG;
    int si = size_index(f->fmt.pix.width, f->fmt.pix.height);
    if (req == VIDIOC_S_FMT) {
        if ((d->owner && d->owner != h) || h->nbufs)
            return -EBUSY;
        d->fourcc = fourcc;
        d->size_idx = si;
    }
    fill_pix_format(f, fourcc, si);
    return 0;
}

static int parm_ioctl(struct handle *h, unsigned int req, struct v4l2_streamparm *p)
{
    struct device *d = h->dev;
    if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->meta)
        return -EINVAL;
    if (req == VIDIOC_S_PARM) {
        if (d->owner && d->owner != h)
            return -EBUSY;
        struct v4l2_fract t = p->parm.capture.timeperframe;
        if (t.numerator && t.denominator) {
            /* Nearest interval, compared as seconds per frame. */
            double want = (double)t.numerator / t.denominator, bestd = 1e30;
            for (int i = 0; i < NIVALS; i++) {
                double diff = want - 1.0 / ival_den[i];
                if (diff < 0)
                    diff = -diff;
                if (diff < bestd) {
                    bestd = diff;
                    d->ival_idx = i;
                }
            }
        } else {
            d->ival_idx = 0;
        }
    }
    memset(&p->parm, 0, sizeof p->parm);
    p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
    p->parm.capture.timeperframe.numerator = 1;
    p->parm.capture.timeperframe.denominator = ival_den[d->ival_idx];
    return 0;
}

static int reqbufs(struct handle *h, struct v4l2_requestbuffers *r)
{
    struct device *d = h->dev;
    if (r->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->meta || r->memory != V4L2_MEMORY_MMAP)
        return -EINVAL;
    if (d->owner && d->owner != h)
        return -EBUSY;
    if (h->streaming)
        return -EBUSY;
    for (unsigned i = 0; i < h->nbufs; i++)
        if (h->bufs[i].mapped)
            return -EBUSY;
    release_buffers(h);
    r->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
    if (r->count == 0)
        return 0;
    unsigned n = r->count > MAX_BUFFERS ? MAX_BUFFERS : r->count < 2 ? 2 : r->count;
    h->fourcc = d->fourcc;
    h->size_idx = d->size_idx;
    h->sizeimage = (size_t)sizes[d->size_idx].w * sizes[d->size_idx].h * 2;
    h->bufalloc = (h->sizeimage + (size_t)page_size - 1) / (size_t)page_size * (size_t)page_size;
    for (unsigned i = 0; i < n; i++) {
        int memfd = memfd_create("fakecam-buffer", MFD_CLOEXEC);
        void *m = MAP_FAILED;
        if (memfd >= 0 && ftruncate(memfd, (off_t)h->bufalloc) == 0)
            m = real_mmap(NULL, h->bufalloc, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        if (m == MAP_FAILED) {
            if (memfd >= 0)
                close(memfd);
            release_buffers(h);
            return -ENOMEM;
        }
        h->bufs[i].mem = m;
        h->bufs[i].memfd = memfd;
        h->nbufs = i + 1;
    }
    d->owner = h;
    r->count = n;
    return 0;
}

static int buf_check(struct handle *h, struct v4l2_buffer *b, int need_owner)
{
    if (b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || h->dev->meta)
        return -EINVAL;
    if (need_owner && h->dev->owner != h)
        return h->dev->owner ? -EBUSY : -EINVAL;
    if (b->memory != V4L2_MEMORY_MMAP || b->index >= h->nbufs)
        return -EINVAL;
    return 0;
}

/* Called with the lock held; may drop it while waiting. */
static int dqbuf(struct handle *h, struct v4l2_buffer *vb)
{
    if (vb->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || h->dev->meta || vb->memory != V4L2_MEMORY_MMAP)
        return -EINVAL;
    if (h->dev->owner != h)
        return h->dev->owner ? -EBUSY : -EINVAL;
    for (;;) {
        if (h->closed || !h->streaming)
            return -EINVAL;
        if (!handle_alive(h))
            return -ENODEV;
        int64_t now = now_ns();
        produce(h, now);
        struct fbuf *b = NULL;
        unsigned idx = 0;
        for (unsigned i = 0; i < h->nbufs; i++)
            if (h->bufs[i].state == B_DONE && (!b || h->bufs[i].order < b->order)) {
                b = &h->bufs[i];
                idx = i;
            }
        if (b) {
            fill_v4l2_buffer(h, idx, vb);
            b->state = B_DEQUEUED;
            delivered_total++;
            delivered_since_plug++;
            if (unplug_every >= 1) {
                /* Repeating mode: N frames after load and after each replug. */
                if (delivered_since_plug >= (uint64_t)unplug_every)
                    unplug(h->dev);
            } else if (unplug_after >= 0 && !unplug_done && delivered_total >= (uint64_t)unplug_after) {
                unplug_done = 1;
                unplug(h->dev);
            }
            return 0;
        }
        int fl = fcntl(h->fd, F_GETFL);
        if (fl >= 0 && (fl & O_NONBLOCK))
            return -EAGAIN;
        /* Sleep until the next frame is due; wake up regularly anyway to notice other threads' changes. */
        int64_t until = now + 100000000LL;
        if (!h->stalled && h->next_due < until)
            until = h->next_due;
        struct timespec ts = { until / 1000000000LL, until % 1000000000LL };
        h->waiters++;
        pthread_cond_timedwait(&wake, &lock, &ts);
        h->waiters--;
        if (h->closed) {
            if (h->waiters == 0)
                free(h);
            return -EINVAL;
        }
    }
}

static int ctrl_index(uint32_t id)
{
    for (int i = 0; i < NCTRLS; i++)
        if (ctrls[i].id == id)
            return i;
    return -1;
}

static uint32_t ctrl_flags(const struct device *d, int i)
{
    switch (i) {
    case C_USER_CLASS:
    case C_CAMERA_CLASS:
        return V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_WRITE_ONLY;
    case C_WB_TEMP:
        return d->val[C_WB_AUTO] == 1 ? V4L2_CTRL_FLAG_INACTIVE : 0;
    case C_EXPOSURE_ABS:
        return d->val[C_EXPOSURE_AUTO] != 1 ? V4L2_CTRL_FLAG_INACTIVE : 0;
    case C_FOCUS_ABS:
        return d->val[C_FOCUS_AUTO] == 1 ? V4L2_CTRL_FLAG_INACTIVE : 0;
    default:
        return 0;
    }
}

/* Validates and adjusts a value as the kernel's control framework does; returns a negative errno or 0. */
static int ctrl_adjust(int i, int32_t *v)
{
    const struct ctrl_def *c = &ctrls[i];
    switch (c->type) {
    case V4L2_CTRL_TYPE_CTRL_CLASS:
        return -EACCES;
    case V4L2_CTRL_TYPE_BOOLEAN:
        *v = *v != 0;
        return 0;
    case V4L2_CTRL_TYPE_MENU:
        if (*v < c->min || *v > c->max)
            return -ERANGE;
        return c->menu[*v] ? 0 : -EINVAL;
    default: {
        int64_t x = *v, half = c->step / 2;
        if (x >= (int64_t)c->max - half)
            x = c->max;
        else if (x <= (int64_t)c->min - half)
            x = c->min;
        else
            x = c->min + (x - c->min + half) / c->step * c->step;
        *v = (int32_t)x;
        return 0;
    }
    }
}

static int queryctrl_index(uint32_t raw_id)
{
    uint32_t id = raw_id & ~(V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND);
    if (raw_id & (V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND)) {
        for (int i = 0; i < NCTRLS; i++)
            if (ctrls[i].id > id)
                return (raw_id & V4L2_CTRL_FLAG_NEXT_CTRL) ? i : -1; /* no compound controls here */
        return -1;
    }
    return ctrl_index(id);
}

static int ext_ctrls(struct handle *h, unsigned int req, struct v4l2_ext_controls *cs)
{
    struct device *d = h->dev;
    uint32_t which = cs->which;
    int def = which == V4L2_CTRL_WHICH_DEF_VAL;
    if (def && req != VIDIOC_G_EXT_CTRLS)
        return -EINVAL;
    if (which != V4L2_CTRL_WHICH_CUR_VAL && !def && ctrl_index(which | 1) < 0)
        return -EINVAL;
    if (cs->count == 0)
        return 0;
    if (cs->count > 1024 || !cs->controls)
        return cs->controls ? -EINVAL : -EFAULT;
    int32_t newv[NCTRLS];
    memcpy(newv, d->val, sizeof newv);
    for (uint32_t k = 0; k < cs->count; k++) {
        struct v4l2_ext_control *c = &cs->controls[k];
        cs->error_idx = k;
        if (which != V4L2_CTRL_WHICH_CUR_VAL && !def && V4L2_CTRL_ID2WHICH(c->id) != which)
            return -EINVAL;
        int i = ctrl_index(c->id);
        if (i < 0)
            return -EINVAL;
        if (req == VIDIOC_G_EXT_CTRLS) {
            if (ctrls[i].type == V4L2_CTRL_TYPE_CTRL_CLASS)
                return -EACCES;
            continue;
        }
        int32_t v = c->value;
        int rc = ctrl_adjust(i, &v);
        if (rc)
            return rc;
        newv[i] = v;
    }
    for (uint32_t k = 0; k < cs->count; k++) {
        struct v4l2_ext_control *c = &cs->controls[k];
        int i = ctrl_index(c->id);
        if (req == VIDIOC_G_EXT_CTRLS)
            c->value = def ? ctrls[i].def : d->val[i];
        else
            c->value = newv[i];
    }
    if (req == VIDIOC_S_EXT_CTRLS)
        memcpy(d->val, newv, sizeof newv);
    cs->error_idx = 0;
    return 0;
}

static int do_ioctl(struct handle *h, unsigned int req, void *arg)
{
    struct device *d = h->dev;
    if (!handle_alive(h))
        return -ENODEV;
    if (!arg)
        return -EFAULT;
    produce(h, now_ns());
    switch (req) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *c = arg;
        memset(c, 0, sizeof *c);
        snprintf((char *)c->driver, sizeof c->driver, "fakecam");
        snprintf((char *)c->card, sizeof c->card, "Fake Camera %d", d->index);
        snprintf((char *)c->bus_info, sizeof c->bus_info, "usb-fakecam-%d", d->index);
        c->version = (6u << 16) | (1u << 8);
        c->device_caps = d->meta ? V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING
                                 : V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
        c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *f = arg;
        uint32_t index = f->index, type = f->type;
        if (d->meta) {
            if (type != V4L2_BUF_TYPE_META_CAPTURE || index != 0)
                return -EINVAL;
            memset(f, 0, sizeof *f);
            f->type = type;
            f->pixelformat = V4L2_META_FMT_UVC;
            snprintf((char *)f->description, sizeof f->description, "UVC Payload Header Metadata");
            return 0;
        }
        if (type != V4L2_BUF_TYPE_VIDEO_CAPTURE || index > 1)
            return -EINVAL;
        memset(f, 0, sizeof *f);
        f->index = index;
        f->type = type;
        if (index == 0) {
            f->flags = V4L2_FMT_FLAG_COMPRESSED;
            f->pixelformat = V4L2_PIX_FMT_MJPEG;
            snprintf((char *)f->description, sizeof f->description, "Motion-JPEG");
        } else {
            f->pixelformat = V4L2_PIX_FMT_YUYV;
            snprintf((char *)f->description, sizeof f->description, "YUYV 4:2:2");
        }
        return 0;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
        struct v4l2_frmsizeenum *s = arg;
        if (d->meta || (s->pixel_format != V4L2_PIX_FMT_MJPEG && s->pixel_format != V4L2_PIX_FMT_YUYV) ||
            s->index >= NSIZES)
            return -EINVAL;
        uint32_t index = s->index, pf = s->pixel_format;
        memset(s, 0, sizeof *s);
        s->index = index;
        s->pixel_format = pf;
        s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
        s->discrete.width = sizes[index].w;
        s->discrete.height = sizes[index].h;
        return 0;
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
        struct v4l2_frmivalenum *fi = arg;
        if (d->meta || (fi->pixel_format != V4L2_PIX_FMT_MJPEG && fi->pixel_format != V4L2_PIX_FMT_YUYV) ||
            fi->index >= NIVALS)
            return -EINVAL;
        int si = size_index(fi->width, fi->height);
        if (sizes[si].w != fi->width || sizes[si].h != fi->height)
            return -EINVAL;
        uint32_t index = fi->index, pf = fi->pixel_format, w = fi->width, ht = fi->height;
        memset(fi, 0, sizeof *fi);
        fi->index = index;
        fi->pixel_format = pf;
        fi->width = w;
        fi->height = ht;
        fi->type = V4L2_FRMIVAL_TYPE_DISCRETE;
        fi->discrete.numerator = 1;
        fi->discrete.denominator = ival_den[index];
        return 0;
    }
    case VIDIOC_G_FMT:
    case VIDIOC_S_FMT:
    case VIDIOC_TRY_FMT:
        return fmt_ioctl(h, req, arg);
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM:
        return parm_ioctl(h, req, arg);
    case VIDIOC_ENUMINPUT: {
        struct v4l2_input *in = arg;
        if (in->index != 0)
            return -EINVAL;
        memset(in, 0, sizeof *in);
        snprintf((char *)in->name, sizeof in->name, "Camera 1");
        in->type = V4L2_INPUT_TYPE_CAMERA;
        return 0;
    }
    case VIDIOC_G_INPUT:
        *(int *)arg = 0;
        return 0;
    case VIDIOC_S_INPUT:
        return *(int *)arg == 0 ? 0 : -EINVAL;
    case VIDIOC_REQBUFS:
        return reqbufs(h, arg);
    case VIDIOC_QUERYBUF: {
        struct v4l2_buffer *b = arg;
        int rc = buf_check(h, b, 0);
        if (rc)
            return rc;
        fill_v4l2_buffer(h, b->index, b);
        return 0;
    }
    case VIDIOC_QBUF: {
        struct v4l2_buffer *b = arg;
        int rc = buf_check(h, b, 1);
        if (rc)
            return rc;
        struct fbuf *fb = &h->bufs[b->index];
        if (fb->state != B_DEQUEUED)
            return -EINVAL;
        fb->state = B_QUEUED;
        fb->order = ++h->order_ctr;
        fill_v4l2_buffer(h, b->index, b);
        pthread_cond_broadcast(&wake);
        return 0;
    }
    case VIDIOC_DQBUF:
        return dqbuf(h, arg);
    case VIDIOC_STREAMON:
    case VIDIOC_STREAMOFF: {
        int type = *(int *)arg;
        if (type != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->meta)
            return -EINVAL;
        if (d->owner != h)
            return d->owner ? -EBUSY : -EINVAL;
        if (req == VIDIOC_STREAMOFF) {
            h->streaming = 0;
            for (unsigned i = 0; i < h->nbufs; i++)
                h->bufs[i].state = B_DEQUEUED;
            pthread_cond_broadcast(&wake);
            return 0;
        }
        if (h->streaming)
            return 0;
        if ((h->fourcc == V4L2_PIX_FMT_MJPEG ? prepare_jpegs(h->size_idx) : prepare_yuyv(h->size_idx)) != 0)
            return -ENOMEM;
        h->streaming = 1;
        h->sequence = 0;
        h->next_due = now_ns() + 1000000000LL / ival_den[d->ival_idx];
        return 0;
    }
    case VIDIOC_QUERYCTRL: {
        struct v4l2_queryctrl *q = arg;
        int i = queryctrl_index(q->id);
        if (i < 0)
            return -EINVAL;
        const struct ctrl_def *c = &ctrls[i];
        memset(q, 0, sizeof *q);
        q->id = c->id;
        q->type = c->type;
        snprintf((char *)q->name, sizeof q->name, "%s", c->name);
        q->minimum = c->min;
        q->maximum = c->max;
        q->step = c->step;
        q->default_value = c->def;
        q->flags = ctrl_flags(d, i);
        return 0;
    }
    case VIDIOC_QUERY_EXT_CTRL: {
        struct v4l2_query_ext_ctrl *q = arg;
        int i = queryctrl_index(q->id);
        if (i < 0)
            return -EINVAL;
        const struct ctrl_def *c = &ctrls[i];
        memset(q, 0, sizeof *q);
        q->id = c->id;
        q->type = c->type;
        snprintf(q->name, sizeof q->name, "%s", c->name);
        q->minimum = c->min;
        q->maximum = c->max;
        q->step = (uint64_t)c->step;
        q->default_value = c->def;
        q->flags = ctrl_flags(d, i);
        q->elem_size = c->type == V4L2_CTRL_TYPE_CTRL_CLASS ? 0 : 4;
        q->elems = 1;
        return 0;
    }
    case VIDIOC_QUERYMENU: {
        struct v4l2_querymenu *m = arg;
        int i = ctrl_index(m->id);
        if (i < 0 || ctrls[i].type != V4L2_CTRL_TYPE_MENU || (int64_t)m->index < ctrls[i].min ||
            (int64_t)m->index > ctrls[i].max || !ctrls[i].menu[m->index])
            return -EINVAL;
        uint32_t id = m->id, index = m->index;
        memset(m, 0, sizeof *m);
        m->id = id;
        m->index = index;
        snprintf((char *)m->name, sizeof m->name, "%s", ctrls[i].menu[index]);
        return 0;
    }
    case VIDIOC_G_CTRL: {
        struct v4l2_control *c = arg;
        int i = ctrl_index(c->id);
        if (i < 0)
            return -EINVAL;
        if (ctrls[i].type == V4L2_CTRL_TYPE_CTRL_CLASS)
            return -EACCES;
        c->value = d->val[i];
        return 0;
    }
    case VIDIOC_S_CTRL: {
        struct v4l2_control *c = arg;
        int i = ctrl_index(c->id);
        if (i < 0)
            return -EINVAL;
        int32_t v = c->value;
        int rc = ctrl_adjust(i, &v);
        if (rc)
            return rc;
        d->val[i] = v;
        c->value = v;
        return 0;
    }
    case VIDIOC_G_EXT_CTRLS:
    case VIDIOC_S_EXT_CTRLS:
    case VIDIOC_TRY_EXT_CTRLS:
        return ext_ctrls(h, req, arg);
    default:
        /* Including G/S_JPEGCOMP, S_STD, QUERY_DV_TIMINGS, SUBSCRIBE_EVENT: uvcvideo has none of them. */
        return -ENOTTY;
    }
}

/* ---------- exported entry points ---------- */

EXPORT int open(const char *path, int flags, ...)
{
    ensure_init();
    mode_t mode = 0;
    if (flags & (O_CREAT | __O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    struct device *d = NULL;
    char rp[PATH_MAX];
    if (ndevices && realpath(path, rp)) {
        pthread_mutex_lock(&lock);
        for (int i = 0; i < ndevices; i++)
            if (devices[i].plugged && strcmp(devices[i].real, rp) == 0)
                d = &devices[i];
        pthread_mutex_unlock(&lock);
    }
    if (!d)
        return real_open(path, flags, mode);
    if (busy_file && access(busy_file, F_OK) == 0) {
        LOG("open %s refused: busy (%s exists)\n", path, busy_file);
        errno = EBUSY;
        return -1;
    }
    int fd = real_open(path, flags, mode);
    if (fd < 0)
        return -1;
    struct handle *h = calloc(1, sizeof *h);
    if (!h) {
        real_close(fd);
        errno = ENOMEM;
        return -1;
    }
    pthread_mutex_lock(&lock);
    h->fd = fd;
    h->dev = d;
    h->gen = d->gen;
    h->next = handles;
    handles = h;
    nhandles++;
    pthread_mutex_unlock(&lock);
    LOG("open %s fd=%d\n", path, fd);
    return fd;
}

EXPORT int open64(const char *path, int flags, ...) __attribute__((alias("open")));

EXPORT int close(int fd)
{
    ensure_init();
    if (__atomic_load_n(&nhandles, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&lock);
        struct handle *h = NULL;
        for (struct handle **ph = &handles; *ph; ph = &(*ph)->next)
            if ((*ph)->fd == fd) {
                h = *ph;
                *ph = h->next;
                nhandles--;
                break;
            }
        if (h) {
            release_buffers(h);
            h->closed = 1;
            pthread_cond_broadcast(&wake);
            LOG("close fd=%d (%s)\n", fd, h->dev->path);
            if (h->waiters == 0)
                free(h);
        }
        pthread_mutex_unlock(&lock);
    }
    return real_close(fd);
}

EXPORT int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    ensure_init();
    if (__atomic_load_n(&nhandles, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&lock);
        struct handle *h = find_handle(fd);
        if (h) {
            /* The kernel takes the request as 32 bits (its ioctl entry point has `unsigned int cmd`): programs that
               declare it int pass it sign-extended, e.g. VIDIOC_DQBUF as 0xFFFFFFFFC0585611. */
            int rc = do_ioctl(h, (unsigned int)request, arg);
            pthread_mutex_unlock(&lock);
            if (rc < 0) {
                errno = -rc;
                return -1;
            }
            return rc;
        }
        pthread_mutex_unlock(&lock);
    }
    return real_ioctl(fd, request, arg);
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    ensure_init();
    if (fd < 0 || !__atomic_load_n(&nhandles, __ATOMIC_ACQUIRE))
        return real_mmap(addr, len, prot, flags, fd, off);
    pthread_mutex_lock(&lock);
    struct handle *h = find_handle(fd);
    if (!h) {
        pthread_mutex_unlock(&lock);
        return real_mmap(addr, len, prot, flags, fd, off);
    }
    int err = 0;
    void *res = MAP_FAILED;
    unsigned index = 0;
    int acc = fcntl(fd, F_GETFL) & O_ACCMODE;
    if (!handle_alive(h))
        err = ENODEV;
    else if (!(flags & MAP_SHARED))
        err = EINVAL;
    else if ((prot & PROT_WRITE) && acc == O_RDONLY)
        err = EACCES;
    else if (!h->nbufs || off < 0 || (size_t)off % h->bufalloc || (index = (unsigned)((size_t)off / h->bufalloc)) >= h->nbufs)
        err = EINVAL;
    else if (len == 0 || len > h->bufalloc)
        err = EINVAL;
    else {
        /* A second view of the buffer's shared pages: it survives the buffer being freed, like a kernel mapping. */
        res = real_mmap(addr, len, prot, MAP_SHARED | (flags & MAP_FIXED), h->bufs[index].memfd, 0);
        if (res == MAP_FAILED)
            err = errno;
    }
    if (res != MAP_FAILED) {
        struct mapping *m = calloc(1, sizeof *m);
        if (m) {
            m->addr = res;
            m->len = len;
            m->h = h;
            m->index = index;
            m->next = mappings;
            mappings = m;
            h->bufs[index].mapped++;
        }
    }
    pthread_mutex_unlock(&lock);
    if (res == MAP_FAILED)
        errno = err;
    return res;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off) __attribute__((alias("mmap")));

EXPORT int munmap(void *addr, size_t len)
{
    ensure_init();
    if (__atomic_load_n(&mappings, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&lock);
        for (struct mapping **pm = &mappings; *pm; pm = &(*pm)->next)
            if ((*pm)->addr == addr) {
                struct mapping *m = *pm;
                *pm = m->next;
                if (m->h->bufs[m->index].mapped > 0)
                    m->h->bufs[m->index].mapped--;
                free(m);
                break;
            }
        pthread_mutex_unlock(&lock);
    }
    return real_munmap(addr, len);
}

/* Readiness of a fake fd as vb2/v4l2 report it; *next_due gets the earliest time the answer may change. */
static short fake_revents(struct handle *h, short events, int64_t now, int64_t *next_due)
{
    short mask;
    if (!handle_alive(h))
        mask = POLLERR | POLLHUP | POLLPRI;
    else if (h->dev->owner != h || !h->streaming)
        mask = POLLERR;
    else {
        produce(h, now);
        mask = 0;
        for (unsigned i = 0; i < h->nbufs; i++)
            if (h->bufs[i].state == B_DONE)
                mask = POLLIN | POLLRDNORM;
        if (!mask && !h->stalled && h->next_due < *next_due)
            *next_due = h->next_due;
    }
    return (short)(mask & (events | POLLERR | POLLHUP));
}

/* Whether any entry of the set is a fake fd, and whether such a poll must hang (FAKECAM_HANG_AFTER_FRAMES). */
static int any_fake_pollfd(const struct pollfd *fds, nfds_t n, int *hang)
{
    *hang = 0;
    if (!__atomic_load_n(&nhandles, __ATOMIC_ACQUIRE) || n == 0 || !fds)
        return 0;
    pthread_mutex_lock(&lock);
    int any = 0;
    for (nfds_t i = 0; i < n && !any; i++)
        any = fds[i].fd >= 0 && find_handle(fds[i].fd) != NULL;
    *hang = any && hang_after >= 0 && delivered_total >= (uint64_t)hang_after;
    pthread_mutex_unlock(&lock);
    return any;
}

static void hang_forever(void)
{
    /* A driver stuck in the kernel: this wait never returns, whatever its timeout and other fds say. */
    LOG("hang in poll after %llu frames\n", (unsigned long long)hang_after);
    for (;;)
        sleep(3600);
}

/*
 * poll over a set holding at least one fake fd: the fake entries are evaluated here, the real ones by the kernel
 * (ppoll with the fake entries disabled), re-checking the fake ones at least every 50 ms and when their next frame is
 * due. timeout_ns < 0 waits for ever; sigmask as in ppoll (installed during each kernel wait).
 */
static int poll_mixed(struct pollfd *fds, nfds_t n, int64_t timeout_ns, const sigset_t *sigmask)
{
    /* real: the set handed to the kernel, fake entries disabled (fd -1); frev: fake entries' revents, -1 if real. */
    struct pollfd stack_real[16];
    short stack_frev[16];
    struct pollfd *real = n <= 16 ? stack_real : malloc(n * sizeof *real);
    short *frev = n <= 16 ? stack_frev : malloc(n * sizeof *frev);
    if (!real || !frev) {
        if (real != stack_real)
            free(real);
        if (frev != stack_frev)
            free(frev);
        errno = ENOMEM;
        return -1;
    }
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
    int result;
    for (;;) {
        int64_t now = now_ns(), next = now + 50000000LL; /* re-check fake fds at least every 50 ms */
        int ready = 0;
        pthread_mutex_lock(&lock);
        for (nfds_t i = 0; i < n; i++) {
            struct handle *h = fds[i].fd >= 0 ? find_handle(fds[i].fd) : NULL;
            real[i] = fds[i];
            real[i].revents = 0;
            frev[i] = -1;
            if (h) {
                real[i].fd = -1;
                frev[i] = fake_revents(h, fds[i].events, now, &next);
                if (frev[i])
                    ready++;
            }
        }
        pthread_mutex_unlock(&lock);
        int64_t until = ready ? now : (next < deadline ? next : deadline);
        int64_t wait = until <= now ? 0 : until - now;
        struct timespec ts = { wait / 1000000000LL, wait % 1000000000LL };
        int r = real_ppoll(real, n, &ts, sigmask);
        if (r < 0) {
            result = -1;
            break;
        }
        if (r > 0 && !ready) {
            /* Real fds became ready while we waited: report the fake ones as they are now. */
            pthread_mutex_lock(&lock);
            int64_t t = now_ns(), ignored = INT64_MAX;
            for (nfds_t i = 0; i < n; i++) {
                struct handle *h = frev[i] >= 0 ? find_handle(fds[i].fd) : NULL;
                if (h && (frev[i] = fake_revents(h, fds[i].events, t, &ignored)))
                    ready++;
            }
            pthread_mutex_unlock(&lock);
        }
        if (r + ready > 0 || now_ns() >= deadline) {
            for (nfds_t i = 0; i < n; i++)
                fds[i].revents = frev[i] >= 0 ? frev[i] : real[i].revents;
            result = r + ready;
            break;
        }
    }
    if (real != stack_real)
        free(real);
    if (frev != stack_frev)
        free(frev);
    return result;
}

EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    ensure_init();
    int hang;
    if (!any_fake_pollfd(fds, n, &hang))
        return real_poll(fds, n, timeout);
    if (hang)
        hang_forever();
    return poll_mixed(fds, n, timeout < 0 ? -1 : (int64_t)timeout * 1000000LL, NULL);
}

EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout, const sigset_t *sigmask)
{
    ensure_init();
    int hang;
    if (!any_fake_pollfd(fds, n, &hang))
        return real_ppoll(fds, n, timeout, sigmask);
    if (timeout && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L)) {
        errno = EINVAL;
        return -1;
    }
    if (hang)
        hang_forever();
    return poll_mixed(fds, n, timeout ? (int64_t)timeout->tv_sec * 1000000000LL + timeout->tv_nsec : -1, sigmask);
}

/* ---------- select ---------- */

/* fd_set bit access without FD_ISSET/FD_SET, which _FORTIFY_SOURCE limits to FD_SETSIZE (select allows more). */
#define NFDBITS_ (8 * (int)sizeof(unsigned long))

static int fdset_has(const fd_set *set, int fd)
{
    return set && ((const unsigned long *)(const void *)set)[fd / NFDBITS_] >> (fd % NFDBITS_) & 1UL;
}

static void fdset_put(fd_set *set, int fd)
{
    ((unsigned long *)(void *)set)[fd / NFDBITS_] |= 1UL << (fd % NFDBITS_);
}

static void fdset_clear(fd_set *set, int nfds)
{
    if (set)
        memset(set, 0, (size_t)(nfds + NFDBITS_ - 1) / NFDBITS_ * sizeof(unsigned long));
}

/* The kernel's select maps poll bits to the three sets this way (fs/select.c POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
#define SEL_IN (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define SEL_OUT (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define SEL_EX (POLLPRI)

/*
 * select/pselect over sets that hold a fake fd: every fd in a set becomes a pollfd asking for what its sets ask for,
 * poll_mixed waits (the kernel still answers for the real fds), and the results go back into the sets as the kernel's
 * select reports them: readable on POLLIN/HUP/ERR, writable on POLLOUT/ERR, exceptional on POLLPRI (V4L2 events; the
 * fake has none, so only an unplugged device is exceptional). Returns -2 when no fake fd is in the sets.
 */
static int select_fake(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, int64_t timeout_ns, const sigset_t *sigmask)
{
    if (nfds <= 0 || !__atomic_load_n(&nhandles, __ATOMIC_ACQUIRE))
        return -2;
    int count = 0;
    for (int fd = 0; fd < nfds; fd++)
        count += fdset_has(rd, fd) || fdset_has(wr, fd) || fdset_has(ex, fd);
    if (count == 0)
        return -2;
    struct pollfd stack_p[64];
    struct pollfd *p = count <= 64 ? stack_p : malloc((size_t)count * sizeof *p);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    int k = 0;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (short)((fdset_has(rd, fd) ? POLLIN | POLLRDNORM | POLLRDBAND : 0) |
                           (fdset_has(wr, fd) ? POLLOUT | POLLWRNORM | POLLWRBAND : 0) | (fdset_has(ex, fd) ? POLLPRI : 0));
        if (ev)
            p[k++] = (struct pollfd){ .fd = fd, .events = ev };
    }
    int hang, result;
    if (!any_fake_pollfd(p, (nfds_t)k, &hang))
        result = -2;
    else {
        if (hang)
            hang_forever();
        result = poll_mixed(p, (nfds_t)k, timeout_ns, sigmask);
        for (int i = 0; i < k && result >= 0; i++)
            if (p[i].revents & POLLNVAL) {
                errno = EBADF; /* the kernel's select checks every fd before it waits */
                result = -1;
            }
        if (result >= 0) {
            /* events is reused for the result: 1 readable, 2 writable, 4 exceptional (sets are cleared first). */
            int n = 0;
            for (int i = 0; i < k; i++) {
                short rv = p[i].revents;
                p[i].events = (short)((fdset_has(rd, p[i].fd) && (rv & SEL_IN) ? 1 : 0) |
                                      (fdset_has(wr, p[i].fd) && (rv & SEL_OUT) ? 2 : 0) |
                                      (fdset_has(ex, p[i].fd) && (rv & SEL_EX) ? 4 : 0));
                n += (p[i].events & 1) + (p[i].events >> 1 & 1) + (p[i].events >> 2 & 1);
            }
            fdset_clear(rd, nfds);
            fdset_clear(wr, nfds);
            fdset_clear(ex, nfds);
            for (int i = 0; i < k; i++) {
                if (p[i].events & 1)
                    fdset_put(rd, p[i].fd);
                if (p[i].events & 2)
                    fdset_put(wr, p[i].fd);
                if (p[i].events & 4)
                    fdset_put(ex, p[i].fd);
            }
            result = n;
        }
    }
    if (p != stack_p)
        free(p);
    return result;
}

EXPORT int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout)
{
    ensure_init();
    if (nfds < 0 || (timeout && (timeout->tv_sec < 0 || timeout->tv_usec < 0)))
        return real_select(nfds, rd, wr, ex, timeout);
    int64_t tns = timeout ? (int64_t)timeout->tv_sec * 1000000000LL + (int64_t)timeout->tv_usec * 1000 : -1;
    int64_t start = now_ns();
    int r = select_fake(nfds, rd, wr, ex, tns, NULL);
    if (r == -2)
        return real_select(nfds, rd, wr, ex, timeout);
    if (timeout) {
        /* Linux writes the time not slept back into the timeout. */
        int err = errno;
        int64_t left = tns - (now_ns() - start);
        if (left < 0)
            left = 0;
        timeout->tv_sec = left / 1000000000LL;
        timeout->tv_usec = (left % 1000000000LL) / 1000;
        errno = err;
    }
    return r;
}

EXPORT int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *timeout, const sigset_t *sigmask)
{
    ensure_init();
    if (nfds < 0 || (timeout && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L)))
        return real_pselect(nfds, rd, wr, ex, timeout, sigmask);
    int64_t tns = timeout ? (int64_t)timeout->tv_sec * 1000000000LL + timeout->tv_nsec : -1;
    int r = select_fake(nfds, rd, wr, ex, tns, sigmask);
    if (r == -2)
        return real_pselect(nfds, rd, wr, ex, timeout, sigmask);
    return r; /* glibc's pselect leaves the timeout as it was */
}
