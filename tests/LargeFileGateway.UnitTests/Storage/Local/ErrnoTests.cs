using LargeFileGateway.Storage.Local;

namespace LargeFileGateway.UnitTests.Storage.Local;

/// <summary>Issue 10, reliability 3: only a failing file system is a storage outage; the rest is 404 or this instance's problem.</summary>
public sealed class ErrnoTests
{
    [Theory]
    [InlineData(Errno.NoSuchFile)]
    [InlineData(Errno.NotADirectory)]
    [InlineData(Errno.IsADirectory)]
    [InlineData(Errno.AccessDenied)]
    [InlineData(Errno.NotPermitted)]
    [InlineData(Errno.NoSuchDeviceOrAddress)]
    [InlineData(Errno.NameTooLong)]
    [InlineData(Errno.TooManySymbolicLinks)]
    [InlineData(Errno.NotSupported)]
    public void ClassifyOpen_WhatAClientOrAMisplacedFileCauses_IsNotFound(int errno)
    {
        Assert.Equal(LocalOpenFailure.NotFound, Errno.ClassifyOpen(errno));
    }

    [Theory]
    [InlineData(Errno.TooManyOpenFiles)]
    [InlineData(Errno.TooManyOpenFilesInSystem)]
    [InlineData(Errno.OutOfMemory)]
    public void ClassifyOpen_OutOfDescriptorsOrMemory_IsInstanceOverloaded(int errno)
    {
        Assert.Equal(LocalOpenFailure.InstanceOverloaded, Errno.ClassifyOpen(errno));
    }

    [Theory]
    [InlineData(Errno.InputOutput)]
    [InlineData(Errno.Stale)]
    [InlineData(Errno.WouldBlock)] // a write lease being broken: shortly readable, not missing
    [InlineData(110)]
    public void ClassifyOpen_FailingFileSystem_IsStorageFailed(int errno)
    {
        Assert.Equal(LocalOpenFailure.StorageFailed, Errno.ClassifyOpen(errno));
    }

    [Theory]
    [InlineData(Errno.Stale, "ESTALE")]
    [InlineData(Errno.TooManySymbolicLinks, "ELOOP")]
    [InlineData(110, "E110")]
    public void Name_KnownAndUnknown_IsShortAndStable(int errno, string expected)
    {
        Assert.Equal(expected, Errno.Name(errno));
    }
}
