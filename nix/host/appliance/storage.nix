# Disk layout (disko): an EFI partition and one ZFS pool. Every dataset disko creates is
# legacy-mounted through fstab (the layout the prototype ran on). The datasets voxnix creates
# below `<pool>/users` get explicit mountpoints at every level (a child of a legacy-mounted
# dataset would not mount by itself), so zfs-mount mounts them at boot.
{ ... }:
let
  parameters = import ./parameters.nix;
  pool = parameters.pool;
  legacy = mountpoint: extra: {
    type = "zfs_fs";
    inherit mountpoint;
    options = { mountpoint = "legacy"; } // extra;
  };
in
{
  boot.supportedFilesystems = [ "zfs" ];
  boot.zfs.forceImportRoot = false;
  boot.kernelParams = [ "zfs.zfs_arc_max=${toString parameters.zfsArcMaxBytes}" ];
  services.zfs.autoScrub.enable = true;
  services.zfs.trim.enable = true;

  disko.devices = {
    disk.main = {
      type = "disk";
      device = parameters.disk;
      content = {
        type = "gpt";
        partitions = {
          ESP = {
            size = "512M";
            type = "EF00";
            content = {
              type = "filesystem";
              format = "vfat";
              mountpoint = "/boot";
              mountOptions = [ "umask=0077" ];
            };
          };
          zfs = {
            size = "100%";
            content = {
              type = "zfs";
              inherit pool;
            };
          };
        };
      };
    };

    zpool.${pool} = {
      type = "zpool";
      options.ashift = "12";
      rootFsOptions = {
        compression = "zstd";
        acltype = "posixacl";
        xattr = "sa";
        mountpoint = "none";
        "com.sun:auto-snapshot" = "false";
      };
      datasets = {
        root = legacy "/" { };
        nix = legacy "/nix" { atime = "off"; };
        # Container roots live in /var/lib/nixos-containers.
        var = legacy "/var" { };
        home = legacy "/home" { };
        users = legacy "/${pool}/users" { };
        # Reserved for pre-built images.
        images = legacy "/${pool}/images" { };
      };
    };
  };
}
