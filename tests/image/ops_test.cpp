// operators/image: parsing of --ops and each op against its direct OpenCV call.
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <parapipe/engine/errors.hpp>
#include <parapipe/operators/image/apply_ops.hpp>
#include <parapipe/operators/image/parse_ops.hpp>
#include "tests/image/image_test_support.hpp"

namespace parapipe::ops {
namespace {

using testing::gradient_image;
using testing::noise_image;
using testing::same_pixels;

TEST(ImageOps, ParsesAChain) {
    const auto ops = parse_image_ops("grayscale, blur:5,sobel,threshold:128,invert,resize:640x480");
    ASSERT_EQ(ops.size(), 6u);
    EXPECT_EQ(ops[0].kind, ImageOpKind::grayscale);
    EXPECT_EQ(ops[1], (ImageOp{ImageOpKind::blur, 5}));
    EXPECT_EQ(ops[2].kind, ImageOpKind::sobel);
    EXPECT_EQ(ops[3], (ImageOp{ImageOpKind::threshold, 128}));
    EXPECT_EQ(ops[4].kind, ImageOpKind::invert);
    EXPECT_EQ(ops[5], (ImageOp{ImageOpKind::resize, 0, 640, 480}));
    EXPECT_EQ(to_string(ops), "grayscale,blur:5,sobel,threshold:128,invert,resize:640x480");
    EXPECT_EQ(parse_image_ops(to_string(ops)), ops);
}

TEST(ImageOps, RejectsBadOpsWithOneClearMessage) {
    struct Bad {
        const char* spec;
        const char* says;
    };
    for (const Bad& b : {Bad{"blurr:5", "unknown op 'blurr'"}, Bad{"blur:4", "odd kernel"}, Bad{"blur:0", "odd kernel"},
                         Bad{"blur", "odd kernel"}, Bad{"blur:x", "odd kernel"}, Bad{"blur:-3", "odd kernel"},
                         Bad{"threshold:256", "from 0 to 255"}, Bad{"threshold:", "from 0 to 255"},
                         Bad{"resize:0x5", "resize:WxH"}, Bad{"resize:5", "resize:WxH"}, Bad{"resize:5x", "resize:WxH"},
                         Bad{"sobel:3", "takes no argument"}, Bad{"", "--ops is empty"},
                         Bad{"grayscale,,sobel", "empty op"}, Bad{"grayscale,", "empty op"},
                         Bad{"gray\nscale", "unknown op 'gray\\x0Ascale'"}}) {
        try {
            parse_image_ops(b.spec);
            ADD_FAILURE() << "accepted '" << b.spec << "'";
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find(b.says), std::string::npos) << b.spec << ": " << e.what();
            EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
        }
    }
}

// Each op on every odd size, one and three channels, noise and gradients, against the direct call.
TEST(ImageOps, EachOpEqualsItsOpenCvCall) {
    for (const cv::Size size : testing::odd_sizes()) {
        for (int channels : {1, 3}) {
            for (const cv::Mat& src : {noise_image(size.height, size.width, channels),
                                       gradient_image(size.height, size.width, channels)}) {
                SCOPED_TRACE(std::to_string(size.width) + "x" + std::to_string(size.height) + "x" +
                             std::to_string(channels));
                cv::Mat want;
                if (channels == 3) cv::cvtColor(src, want, cv::COLOR_BGR2GRAY);
                else want = src.clone();
                EXPECT_TRUE(same_pixels(apply_image_op(src, {ImageOpKind::grayscale}), want));

                for (int k : {1, 3, 5, 7, 15}) {
                    cv::GaussianBlur(src, want, cv::Size(k, k), 0, 0, cv::BORDER_DEFAULT);
                    EXPECT_TRUE(same_pixels(apply_image_op(src, {ImageOpKind::blur, k}), want)) << "blur:" << k;
                }

                cv::Mat dx, dy, ax, ay;
                cv::Sobel(src, dx, CV_16S, 1, 0, 3);
                cv::Sobel(src, dy, CV_16S, 0, 1, 3);
                cv::convertScaleAbs(dx, ax);
                cv::convertScaleAbs(dy, ay);
                cv::addWeighted(ax, 0.5, ay, 0.5, 0, want);
                EXPECT_TRUE(same_pixels(apply_image_op(src, {ImageOpKind::sobel}), want));

                for (int t : {0, 1, 128, 254, 255}) {
                    cv::threshold(src, want, t, 255, cv::THRESH_BINARY);
                    EXPECT_TRUE(same_pixels(apply_image_op(src, {ImageOpKind::threshold, t}), want)) << t;
                }

                cv::bitwise_not(src, want);
                EXPECT_TRUE(same_pixels(apply_image_op(src, {ImageOpKind::invert}), want));

                for (cv::Size to : {cv::Size(1, 1), cv::Size(5, 3), cv::Size(40, 9)}) {
                    cv::resize(src, want, to, 0, 0, cv::INTER_AREA);
                    EXPECT_TRUE(same_pixels(apply_image_op(src, {ImageOpKind::resize, 0, to.width, to.height}), want));
                }
            }
        }
    }
}

TEST(ImageOps, ChainAppliesOpsInOrder) {
    const cv::Mat src = gradient_image(45, 31, 3);
    cv::Mat gray, blurred, want, dx, dy, ax, ay;
    cv::cvtColor(src, gray, cv::COLOR_BGR2GRAY);
    cv::GaussianBlur(gray, blurred, cv::Size(5, 5), 0, 0, cv::BORDER_DEFAULT);
    cv::Sobel(blurred, dx, CV_16S, 1, 0, 3);
    cv::Sobel(blurred, dy, CV_16S, 0, 1, 3);
    cv::convertScaleAbs(dx, ax);
    cv::convertScaleAbs(dy, ay);
    cv::addWeighted(ax, 0.5, ay, 0.5, 0, want);
    EXPECT_TRUE(same_pixels(apply_image_ops(src, parse_image_ops("grayscale,blur:5,sobel")), want));
    EXPECT_EQ(image_ops_channels(parse_image_ops("blur:3,grayscale"), 3), 1);
    EXPECT_EQ(image_ops_channels(parse_image_ops("blur:3"), 3), 3);
    EXPECT_EQ(image_ops_size(parse_image_ops("resize:9x4,blur:3"), cv::Size(100, 50)), cv::Size(9, 4));
}

}  // namespace
}  // namespace parapipe::ops
