// Where the engine reads pixels from, and where it writes them to.
//
// Source: an image of known size, channel count and dtype whose rectangular regions can be
// read. read() is called concurrently from several threads and must be thread-safe.
//
// Sink: receives the result. The engine calls begin() once, then write() for each finished
// chunk (disjoint rectangles that together cover the image, one call at a time, from one
// thread), then commit() after the last chunk, or abort() when the run fails or is
// cancelled. A sink must make its output visible only in commit(): after abort(), nothing
// that looks like a complete result may remain.
//
// Coordinates are pixels of the image being processed. Sources and sinks are owned by the
// caller; the engine only borrows them for the duration of a run. Errors are thrown as
// tileflow::IoError (or InvalidArgument for requests outside the image).
#pragma once

#include "tileflow/image.hpp"

namespace tileflow {

class Source {
public:
    virtual ~Source() = default;
    virtual ImageInfo info() const = 0;
    // Fills `out` (size of `region`, all channels, info().dtype) with the pixels of `region`.
    virtual void read(const Rect& region, ImageView out) const = 0;
};

class Sink {
public:
    virtual ~Sink() = default;
    virtual void begin(const ImageInfo& info) = 0;
    virtual void write(const Rect& region, ConstImageView pixels) = 0;
    virtual void commit() = 0;
    virtual void abort() noexcept = 0;
};

// Reads a whole source into memory, in row bands on `threads` threads (0: OpenMP's default).
// Meant for images that fit in memory; the first error of any band is rethrown.
Image readImage(const Source& source, int threads = 0);

// A source over pixels already in memory; the view must outlive the source.
class MemorySource final : public Source {
public:
    explicit MemorySource(ConstImageView pixels) : pixels_(pixels) {}
    ImageInfo info() const override { return pixels_.info(); }
    void read(const Rect& region, ImageView out) const override;
    ConstImageView view() const { return pixels_; }

private:
    ConstImageView pixels_;
};

// A sink that assembles the result in memory; take() hands it over after commit().
class MemorySink final : public Sink {
public:
    void begin(const ImageInfo& info) override;
    void write(const Rect& region, ConstImageView pixels) override;
    void commit() override { committed_ = true; }
    void abort() noexcept override;
    // The committed result. Throws tileflow::Error when the run did not commit.
    Image take();

private:
    Image image_;
    bool committed_ = false;
};

}  // namespace tileflow
