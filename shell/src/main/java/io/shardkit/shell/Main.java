package io.shardkit.shell;

public final class Main {
    public static void main(String[] args) {
        System.out.println("shardkit");
    }
}
