/*
 * V4L2 layout probe: the sizes, field offsets, ioctl request numbers and constants that
 * src/MjpgStreamer.Native/V4l2 computes on its own. generate.sh compiles this for every
 * architecture we ship and writes one "name value" line per entry; the C# tests compare
 * their computed values with those checked-in files.
 *
 * Two ways to read the values out:
 *  - compiled to assembly (-S, default): every entry becomes an ".ascii" directive holding
 *    the constant, so cross-compiled output can be read without running it;
 *  - compiled with -DPROBE_PRINT and run: prints the same lines (a check of the first way
 *    on the build machine).
 * Field names are chosen so that snake_case -> PascalCase gives the C# member name.
 */
#include <stddef.h>
#include <fcntl.h>
#include <errno.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <linux/videodev2.h>

#define SZ(E, s) E("sizeof." #s, sizeof(struct s), "D")
#define OFF(E, s, name, member) E(#s "." #name, offsetof(struct s, member), "D")
#define REQ(E, r) E(#r, r, "X")
#define CONST(E, c) E("const." #c, c, "X")

#define ENTRIES(E) \
    SZ(E, v4l2_buffer) \
    OFF(E, v4l2_buffer, index, index) \
    OFF(E, v4l2_buffer, type, type) \
    OFF(E, v4l2_buffer, bytes_used, bytesused) \
    OFF(E, v4l2_buffer, flags, flags) \
    OFF(E, v4l2_buffer, field, field) \
    OFF(E, v4l2_buffer, timestamp, timestamp) \
    OFF(E, v4l2_buffer, timestamp_usec, timestamp.tv_usec) \
    OFF(E, v4l2_buffer, sequence, sequence) \
    OFF(E, v4l2_buffer, memory, memory) \
    OFF(E, v4l2_buffer, m, m.offset) \
    OFF(E, v4l2_buffer, length, length) \
    SZ(E, v4l2_format) \
    OFF(E, v4l2_format, type, type) \
    OFF(E, v4l2_format, fmt, fmt.pix) \
    SZ(E, v4l2_ext_controls) \
    OFF(E, v4l2_ext_controls, which, which) \
    OFF(E, v4l2_ext_controls, count, count) \
    OFF(E, v4l2_ext_controls, error_idx, error_idx) \
    OFF(E, v4l2_ext_controls, request_fd, request_fd) \
    OFF(E, v4l2_ext_controls, controls, controls) \
    SZ(E, v4l2_event) \
    OFF(E, v4l2_event, type, type) \
    OFF(E, v4l2_event, u, u) \
    OFF(E, v4l2_event, pending, pending) \
    OFF(E, v4l2_event, sequence, sequence) \
    OFF(E, v4l2_event, timestamp, timestamp) \
    OFF(E, v4l2_event, id, id) \
    SZ(E, v4l2_capability) \
    OFF(E, v4l2_capability, driver, driver) \
    OFF(E, v4l2_capability, card, card) \
    OFF(E, v4l2_capability, bus_info, bus_info) \
    OFF(E, v4l2_capability, version, version) \
    OFF(E, v4l2_capability, capabilities, capabilities) \
    OFF(E, v4l2_capability, device_caps, device_caps) \
    SZ(E, v4l2_fmtdesc) \
    OFF(E, v4l2_fmtdesc, index, index) \
    OFF(E, v4l2_fmtdesc, type, type) \
    OFF(E, v4l2_fmtdesc, flags, flags) \
    OFF(E, v4l2_fmtdesc, description, description) \
    OFF(E, v4l2_fmtdesc, pixel_format, pixelformat) \
    OFF(E, v4l2_fmtdesc, mbus_code, mbus_code) \
    SZ(E, v4l2_pix_format) \
    OFF(E, v4l2_pix_format, width, width) \
    OFF(E, v4l2_pix_format, height, height) \
    OFF(E, v4l2_pix_format, pixel_format, pixelformat) \
    OFF(E, v4l2_pix_format, field, field) \
    OFF(E, v4l2_pix_format, bytes_per_line, bytesperline) \
    OFF(E, v4l2_pix_format, size_image, sizeimage) \
    OFF(E, v4l2_pix_format, colorspace, colorspace) \
    SZ(E, v4l2_requestbuffers) \
    OFF(E, v4l2_requestbuffers, count, count) \
    OFF(E, v4l2_requestbuffers, type, type) \
    OFF(E, v4l2_requestbuffers, memory, memory) \
    OFF(E, v4l2_requestbuffers, capabilities, capabilities) \
    SZ(E, v4l2_control) \
    OFF(E, v4l2_control, id, id) \
    OFF(E, v4l2_control, value, value) \
    SZ(E, v4l2_queryctrl) \
    OFF(E, v4l2_queryctrl, id, id) \
    OFF(E, v4l2_queryctrl, type, type) \
    OFF(E, v4l2_queryctrl, name, name) \
    OFF(E, v4l2_queryctrl, minimum, minimum) \
    OFF(E, v4l2_queryctrl, maximum, maximum) \
    OFF(E, v4l2_queryctrl, step, step) \
    OFF(E, v4l2_queryctrl, default_value, default_value) \
    OFF(E, v4l2_queryctrl, flags, flags) \
    SZ(E, v4l2_querymenu) \
    OFF(E, v4l2_querymenu, id, id) \
    OFF(E, v4l2_querymenu, index, index) \
    OFF(E, v4l2_querymenu, name, name) \
    SZ(E, v4l2_streamparm) \
    OFF(E, v4l2_streamparm, type, type) \
    OFF(E, v4l2_streamparm, capability, parm.capture.capability) \
    OFF(E, v4l2_streamparm, capture_mode, parm.capture.capturemode) \
    OFF(E, v4l2_streamparm, time_per_frame_numerator, parm.capture.timeperframe.numerator) \
    OFF(E, v4l2_streamparm, time_per_frame_denominator, parm.capture.timeperframe.denominator) \
    SZ(E, v4l2_frmsizeenum) \
    OFF(E, v4l2_frmsizeenum, index, index) \
    OFF(E, v4l2_frmsizeenum, pixel_format, pixel_format) \
    OFF(E, v4l2_frmsizeenum, type, type) \
    OFF(E, v4l2_frmsizeenum, width, discrete.width) \
    OFF(E, v4l2_frmsizeenum, height, discrete.height) \
    OFF(E, v4l2_frmsizeenum, min_width, stepwise.min_width) \
    OFF(E, v4l2_frmsizeenum, max_width, stepwise.max_width) \
    OFF(E, v4l2_frmsizeenum, min_height, stepwise.min_height) \
    OFF(E, v4l2_frmsizeenum, max_height, stepwise.max_height) \
    SZ(E, v4l2_frmivalenum) \
    OFF(E, v4l2_frmivalenum, index, index) \
    OFF(E, v4l2_frmivalenum, pixel_format, pixel_format) \
    OFF(E, v4l2_frmivalenum, width, width) \
    OFF(E, v4l2_frmivalenum, height, height) \
    OFF(E, v4l2_frmivalenum, type, type) \
    OFF(E, v4l2_frmivalenum, numerator, discrete.numerator) \
    OFF(E, v4l2_frmivalenum, denominator, discrete.denominator) \
    OFF(E, v4l2_frmivalenum, min_numerator, stepwise.min.numerator) \
    OFF(E, v4l2_frmivalenum, min_denominator, stepwise.min.denominator) \
    OFF(E, v4l2_frmivalenum, max_numerator, stepwise.max.numerator) \
    OFF(E, v4l2_frmivalenum, max_denominator, stepwise.max.denominator) \
    SZ(E, v4l2_ext_control) \
    OFF(E, v4l2_ext_control, id, id) \
    OFF(E, v4l2_ext_control, size, size) \
    OFF(E, v4l2_ext_control, value, value) \
    SZ(E, v4l2_jpegcompression) \
    OFF(E, v4l2_jpegcompression, quality, quality) \
    OFF(E, v4l2_jpegcompression, app_n, APPn) \
    OFF(E, v4l2_jpegcompression, app_len, APP_len) \
    OFF(E, v4l2_jpegcompression, app_data, APP_data) \
    OFF(E, v4l2_jpegcompression, com_len, COM_len) \
    OFF(E, v4l2_jpegcompression, com_data, COM_data) \
    OFF(E, v4l2_jpegcompression, jpeg_markers, jpeg_markers) \
    SZ(E, v4l2_dv_timings) \
    OFF(E, v4l2_dv_timings, type, type) \
    OFF(E, v4l2_dv_timings, bt, bt) \
    SZ(E, v4l2_event_subscription) \
    OFF(E, v4l2_event_subscription, type, type) \
    OFF(E, v4l2_event_subscription, id, id) \
    OFF(E, v4l2_event_subscription, flags, flags) \
    REQ(E, VIDIOC_QUERYCAP) \
    REQ(E, VIDIOC_ENUM_FMT) \
    REQ(E, VIDIOC_G_FMT) \
    REQ(E, VIDIOC_S_FMT) \
    REQ(E, VIDIOC_TRY_FMT) \
    REQ(E, VIDIOC_REQBUFS) \
    REQ(E, VIDIOC_QUERYBUF) \
    REQ(E, VIDIOC_QBUF) \
    REQ(E, VIDIOC_DQBUF) \
    REQ(E, VIDIOC_STREAMON) \
    REQ(E, VIDIOC_STREAMOFF) \
    REQ(E, VIDIOC_G_PARM) \
    REQ(E, VIDIOC_S_PARM) \
    REQ(E, VIDIOC_G_CTRL) \
    REQ(E, VIDIOC_S_CTRL) \
    REQ(E, VIDIOC_QUERYCTRL) \
    REQ(E, VIDIOC_QUERYMENU) \
    REQ(E, VIDIOC_G_EXT_CTRLS) \
    REQ(E, VIDIOC_S_EXT_CTRLS) \
    REQ(E, VIDIOC_ENUM_FRAMESIZES) \
    REQ(E, VIDIOC_ENUM_FRAMEINTERVALS) \
    REQ(E, VIDIOC_G_JPEGCOMP) \
    REQ(E, VIDIOC_S_JPEGCOMP) \
    REQ(E, VIDIOC_S_STD) \
    REQ(E, VIDIOC_QUERY_DV_TIMINGS) \
    REQ(E, VIDIOC_S_DV_TIMINGS) \
    REQ(E, VIDIOC_SUBSCRIBE_EVENT) \
    REQ(E, VIDIOC_DQEVENT) \
    CONST(E, V4L2_BUF_TYPE_VIDEO_CAPTURE) \
    CONST(E, V4L2_MEMORY_MMAP) \
    CONST(E, V4L2_CAP_VIDEO_CAPTURE) \
    CONST(E, V4L2_CAP_STREAMING) \
    CONST(E, V4L2_CAP_DEVICE_CAPS) \
    CONST(E, V4L2_CAP_TIMEPERFRAME) \
    CONST(E, V4L2_FMT_FLAG_COMPRESSED) \
    CONST(E, V4L2_FMT_FLAG_EMULATED) \
    CONST(E, V4L2_FRMSIZE_TYPE_DISCRETE) \
    CONST(E, V4L2_FRMIVAL_TYPE_DISCRETE) \
    CONST(E, V4L2_BUF_FLAG_ERROR) \
    CONST(E, V4L2_CTRL_FLAG_DISABLED) \
    CONST(E, V4L2_CTRL_FLAG_NEXT_CTRL) \
    CONST(E, V4L2_CTRL_FLAG_READ_ONLY) \
    CONST(E, V4L2_CTRL_FLAG_WRITE_ONLY) \
    CONST(E, V4L2_CTRL_TYPE_INTEGER) \
    CONST(E, V4L2_CTRL_TYPE_BOOLEAN) \
    CONST(E, V4L2_CTRL_TYPE_MENU) \
    CONST(E, V4L2_CTRL_TYPE_BUTTON) \
    CONST(E, V4L2_CTRL_TYPE_CTRL_CLASS) \
    CONST(E, V4L2_CTRL_TYPE_BITMASK) \
    CONST(E, V4L2_CTRL_TYPE_INTEGER_MENU) \
    CONST(E, V4L2_CTRL_CLASS_USER) \
    CONST(E, V4L2_CID_BASE) \
    CONST(E, V4L2_CID_LASTP1) \
    CONST(E, V4L2_CID_PRIVATE_BASE) \
    CONST(E, V4L2_EVENT_SOURCE_CHANGE) \
    CONST(E, O_RDWR) \
    CONST(E, O_NONBLOCK) \
    CONST(E, O_CLOEXEC) \
    CONST(E, PROT_READ) \
    CONST(E, PROT_WRITE) \
    CONST(E, MAP_SHARED) \
    CONST(E, POLLIN) \
    CONST(E, POLLPRI) \
    CONST(E, POLLERR) \
    CONST(E, POLLHUP) \
    CONST(E, POLLNVAL) \
    CONST(E, EINTR) \
    CONST(E, EAGAIN) \
    CONST(E, ENOENT) \
    CONST(E, EIO) \
    CONST(E, ENXIO) \
    CONST(E, ENODEV) \
    CONST(E, EBUSY) \
    CONST(E, EINVAL) \
    CONST(E, ENOTTY) \
    CONST(E, ENODATA) \
    CONST(E, EOVERFLOW) \
    CONST(E, ENOMEM)

#ifdef PROBE_PRINT
#include <stdio.h>
/* ioctl numbers and constants are unsigned 32-bit on every target; sizes are small. */
#define PRINT(name, value, kind) \
    if (kind[0] == 'X') printf("%s 0x%lx\n", name, (unsigned long)(unsigned int)(value)); \
    else printf("%s %lu\n", name, (unsigned long)(value));
int main(void)
{
    ENTRIES(PRINT)
    return 0;
}
#else
/*
 * Each entry becomes: .ascii "@@<kind> <name> <value>", where the assembler syntax may put $ or #
 * before the value. Values go through int so that every target prints a 32-bit immediate;
 * generate.sh turns negative ones (ioctl numbers with the read bit) back into unsigned.
 */
#define EMIT(name, value, kind) \
    __asm__ volatile("\n.ascii \"@@" kind " " name " %0\"" : : "i"((int)(value)));
void probe(void)
{
    ENTRIES(EMIT)
}
#endif
