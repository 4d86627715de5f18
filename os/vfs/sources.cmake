# The guest VFS sources (part of vmlab_os).
set(VMLAB_VFS_SOURCES
  ${PROJECT_SOURCE_DIR}/os/vfs/device.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/dirent.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/fd_table.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/file_system.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/file_system_overlay.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/generated_inode.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/host_inode.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/inode.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/memory_inode.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/open_file.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/overlay_directory.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/path_walker.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/pipe.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/socket.cpp
  ${PROJECT_SOURCE_DIR}/os/vfs/special_files.cpp
)
